# The kill-window sweep's cases (KillWindow.Tests.ps1 reads them at discovery and at run time): each named kill
# point of src/Btcedu.Core/InternalHooks.cs for each of the first two chapters, with an episode of its own.
foreach ($point in 'after-intent', 'after-answer', 'after-answer-saved', 'after-delivery', 'after-png', 'after-asset-row', 'after-record', 'after-manifest') {
    foreach ($index in 0, 1) {
        @{ Point = $point; Index = $index; Episode = 'kill-{0}-{1}' -f ($point -replace '^after-', ''), $index }
    }
}
