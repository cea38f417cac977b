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
        var all = Workspace.PromptVersions.List();
        foreach (var pattern in Name ?? ["*"])
        {
            var found = Matching(all, v => v.Name, pattern, p => new Core.BtceduException("PromptNotFound", Core.BtceduErrorKind.ObjectNotFound,
                $"No version of prompt '{p}' is recorded; a template is recorded the first time an image run uses it (Get-BtceduPromptVersion lists those recorded).", p));
            WriteObject(found, enumerateCollection: true);
        }
    }
}
