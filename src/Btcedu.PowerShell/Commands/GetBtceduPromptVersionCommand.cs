using System.Management.Automation;
using Btcedu.Core.Storage;

namespace Btcedu.PowerShell.Commands;

/// <summary>Lists the recorded versions of the prompt templates (prompt_versions): name, version, hash, model, default, created.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduPromptVersion")]
[OutputType(typeof(PromptVersion))]
public sealed class GetBtceduPromptVersionCommand : BtceduCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var all = new PromptVersionStore(Workspace.Database).List();
        foreach (var pattern in Name ?? ["*"])
        {
            var match = Wildcard(pattern);
            var found = all.Where(v => match.IsMatch(v.Name)).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                WriteBtceduError(new Core.BtceduException("PromptNotFound", Core.BtceduErrorKind.ObjectNotFound,
                    $"No version of prompt '{pattern}' is recorded; a template is recorded the first time an image run uses it (Get-BtceduPromptVersion lists those recorded).", pattern));
            }
            WriteObject(found, enumerateCollection: true);
        }
    }
}
