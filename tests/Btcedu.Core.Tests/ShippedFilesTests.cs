using Btcedu.Core;

namespace Btcedu.Core.Tests;

public sealed class ShippedFilesTests
{
    [Fact]
    public void The_portable_assemblys_folder_holds_the_shipped_files()
    {
        var core = Path.Combine(Path.GetTempPath(), "Btcedu", "module", "core");
        Assert.Equal(core, ShippedFiles.Find(core));
    }

    [Fact]
    public void A_ReadyToRun_image_finds_them_two_folders_up()
    {
        var core = Path.Combine(Path.GetTempPath(), "Btcedu", "module", "core");
        Assert.Equal(core, ShippedFiles.Find(Path.Combine(core, "r2r", "linux-x64")));
    }

    [Fact]
    public void The_catalogue_the_gallery_and_the_font_are_there()
    {
        Assert.True(File.Exists(ShippedFiles.PathOf("models.yaml")));
        Assert.True(Directory.Exists(ShippedFiles.PathOf("gallery")));
        Assert.True(File.Exists(ShippedFiles.PathOf("fonts", "DejaVuSans-Bold.ttf")));
    }
}
