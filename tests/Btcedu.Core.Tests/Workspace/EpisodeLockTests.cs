using Btcedu.Core.Workspace;
using Btcedu.Core.Tests.Support;

namespace Btcedu.Core.Tests.Workspace;

public sealed class EpisodeLockTests
{
    [Theory]
    [InlineData("")]                    // created, nothing written yet
    [InlineData("{\"pid\": 12")]        // half written
    public void A_lock_file_held_open_by_another_handle_is_held_whatever_it_contains(string contents)
    {
        using var temp = new TempWorkspace();
        var path = temp.Paths.LockFile("ep1");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Another holder, caught between taking the lock and writing its details.
        using var other = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        other.Write(System.Text.Encoding.UTF8.GetBytes(contents));
        other.Flush();

        var e = Assert.Throws<BtceduException>(() => EpisodeLock.Acquire(path, "ep1", TimeProvider.System));

        Assert.Equal("EpisodeLocked", e.ErrorId);
        Assert.Equal(BtceduErrorKind.ResourceBusy, e.Kind);
        Assert.Contains("another run", e.Message, StringComparison.Ordinal);
        Assert.True(EpisodeLock.IsHeld(path));
        Assert.True(File.Exists(path)); // never taken over, never deleted
    }

    [Fact]
    public void The_holder_is_named_while_held_and_the_released_lock_is_free_but_kept()
    {
        using var temp = new TempWorkspace();
        var path = temp.Paths.LockFile("ep1");
        using (EpisodeLock.Acquire(path, "ep1", TimeProvider.System))
        {
            var holder = EpisodeLock.ReadHolder(path);
            Assert.Equal(Environment.ProcessId, holder!.Pid);
            Assert.Equal(Environment.MachineName, holder.Host);
            Assert.True(EpisodeLock.IsHeld(path));
            var e = Assert.Throws<BtceduException>(() => EpisodeLock.Acquire(path, "ep1", TimeProvider.System));
            Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", e.Message, StringComparison.Ordinal);
        }

        Assert.False(EpisodeLock.IsHeld(path));
        Assert.True(File.Exists(path));
        Assert.Null(EpisodeLock.ReadHolder(path));
        using (EpisodeLock.Acquire(path, "ep1", TimeProvider.System))
        {
            Assert.True(EpisodeLock.IsHeld(path));
        }
    }

    [Fact]
    public void Probing_a_missing_lock_creates_nothing()
    {
        using var temp = new TempWorkspace();
        var path = temp.Paths.LockFile("ep1");
        Assert.False(EpisodeLock.IsHeld(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }
}
