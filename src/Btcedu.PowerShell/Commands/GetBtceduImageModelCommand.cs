using System.Management.Automation;
using Btcedu.Core.Models;
using Btcedu.PowerShell.Completion;

namespace Btcedu.PowerShell.Commands;

/// <summary>Lists the image model catalogue (shipped models.yaml plus btcedu.yaml's image_models) with each model's status today.</summary>
[Cmdlet(VerbsCommon.Get, "BtceduImageModel")]
[OutputType(typeof(ImageModelListing))]
public sealed class GetBtceduImageModelCommand : BtceduCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ImageModelCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public ModelStatus[]? Status { get; set; }

    protected override void ProcessRecord()
    {
        var today = DateOnly.FromDateTime(Workspace.Time.GetUtcNow().UtcDateTime);
        var listings = Workspace.ImageModelListings(today);
        foreach (var pattern in Name ?? ["*"])
        {
            var found = Matching(listings, m => m.Name, pattern, p => new Core.BtceduException("ImageModelNotFound", Core.BtceduErrorKind.ObjectNotFound,
                $"The model catalogue has no image model '{p}'; Get-BtceduImageModel lists them, and image_models in btcedu.yaml adds one.", p));
            foreach (var model in found.Where(m => Status is null || Status.Contains(m.Status)))
            {
                WriteObject(model);
            }
        }
    }
}
