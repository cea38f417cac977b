# The batch kill sweep's cases (BatchKill.Tests.ps1 reads them at discovery and at run time): each named batch kill
# point of src/Btcedu.Core/InternalHooks.cs (KillPoints.Batch), with an episode of its own.
foreach ($point in 'submit-after-intent', 'submit-after-upload', 'submit-after-create', 'collect-mid-file', 'collect-after-images', 'collect-before-settle') {
    @{ Point = $point; Episode = 'bk-{0}' -f $point; Collect = $point -like 'collect-*' }
}
