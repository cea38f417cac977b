using Btcedu.Core.Imaging;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.Tests.Imaging;

public sealed class ImageRequestProfileTests
{
    [Fact]
    public void Gpt_image_defaults_to_landscape_medium_without_style()
    {
        var p = ImageRequestProfile.Resolve(new BtceduSettings());

        Assert.Equal(("gpt-image-1", ImageModelFamily.GptImage, "1536x1024", "medium", (string?)null, 0.063m),
            (p.Model, p.Family, p.Size, p.Quality, p.Style, p.PriceUsd));
        Assert.Equal((1536, 1024), (p.Width, p.Height));
    }

    [Fact]
    public void Dalle3_defaults_to_landscape_standard()
    {
        var p = ImageRequestProfile.Resolve(new BtceduSettings { ImageModel = "dall-e-3", ImageStyle = "vivid" });

        Assert.Equal((ImageModelFamily.DallE3, "1792x1024", "standard", "vivid", 0.080m), (p.Family, p.Size, p.Quality, p.Style, p.PriceUsd));
        Assert.Equal(new ImageGenRequest("x", "dall-e-3", "1792x1024", "standard", "vivid"), p.ToRequest("x"));
    }

    [Theory]
    [InlineData("gpt-image-1", "1024x1536", "low", 0.016)]
    [InlineData("gpt-image-1", "1024x1024", "high", 0.167)]
    [InlineData("gpt-image-1", "1536x1024", "auto", 0.25)]
    [InlineData("gpt-image-1-mini", "1536x1024", "medium", 0.015)]
    [InlineData("dall-e-3", "1024x1024", "hd", 0.080)]
    [InlineData("DALL-E-3", "1024X1792", "HD", 0.120)]
    public void Prices_come_from_the_table(string model, string size, string quality, double usd)
    {
        Assert.Equal((decimal)usd, ImageRequestProfile.Resolve(model, size, quality, null, ImagePriceTable.Defaults).PriceUsd);
    }

    [Theory]
    [InlineData("gpt-image-1", "1792x1024", null, null, "ImageSizeInvalid")]
    [InlineData("dall-e-3", "1536x1024", null, null, "ImageSizeInvalid")]
    [InlineData("gpt-image-1", null, "hd", null, "ImageQualityInvalid")]
    [InlineData("dall-e-3", null, "medium", null, "ImageQualityInvalid")]
    [InlineData("gpt-image-1", null, null, "vivid", "ImageStyleInvalid")]
    [InlineData("dall-e-3", null, null, "cartoon", "ImageStyleInvalid")]
    [InlineData("dall-e-2", null, null, null, "ImageModelUnsupported")]
    [InlineData("gpt-image-2", null, null, null, "ImagePriceUnknown")]
    public void Invalid_shapes_and_missing_prices_are_errors(string model, string? size, string? quality, string? style, string errorId)
    {
        var ex = Assert.Throws<BtceduException>(() => ImageRequestProfile.Resolve(model, size, quality, style, ImagePriceTable.Defaults));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(errorId == "ImagePriceUnknown" ? BtceduErrorKind.InvalidData : BtceduErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void A_price_added_in_settings_makes_a_new_gpt_image_model_usable()
    {
        var prices = ImagePriceTable.Defaults.With([("gpt-image-2", "1536x1024", "medium", 0.07m)]);

        Assert.Equal(0.07m, ImageRequestProfile.Resolve("gpt-image-2", null, null, null, prices).PriceUsd);
    }
}
