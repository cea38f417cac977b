using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Btcedu.Core.Models;

/// <summary>
/// The image and LLM models the module may call (shipped as <c>models.yaml</c>, beside Btcedu.Core), extended or
/// overridden field by field from btcedu.yaml's <c>image_models</c> / <c>llm_models</c>. Immutable.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>The catalogue file's name, copied beside the Core assembly by the build.</summary>
    public const string FileName = "models.yaml";

    private static readonly Lazy<ModelCatalog> ShippedCatalog = new(() =>
        Load(ShippedFiles.PathOf(FileName)));

    private readonly ModelCatalogEntries _entries;

    private ModelCatalog(ModelCatalogEntries entries)
    {
        _entries = entries;
        ImageModels = [.. entries.Image.Select(e => ModelCatalogReader.ReadImage(e.Key, e.Value))];
        LlmModels = [.. entries.Llm.Select(e => ModelCatalogReader.ReadLlm(e.Key, e.Value))];
    }

    /// <summary>The catalogue shipped with the module, read once per process.</summary>
    public static ModelCatalog Shipped => ShippedCatalog.Value;

    public IReadOnlyList<ImageModel> ImageModels { get; }
    public IReadOnlyList<LlmModel> LlmModels { get; }

    /// <summary>Reads a catalogue file. Throws InvalidModelCatalog naming the file, line and key of the first problem.</summary>
    public static ModelCatalog Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new BtceduException("ModelCatalogMissing", BtceduErrorKind.ObjectNotFound,
                $"The model catalogue {file} is missing; rebuild or reinstall the module.", file);
        }
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));
            stream.Load(reader);
        }
        catch (Exception e) when (e is YamlException or System.Text.DecoderFallbackException)
        {
            throw new BtceduException("InvalidModelCatalog", BtceduErrorKind.InvalidData, $"{file}: {e.Message}", file);
        }
        var root = stream.Documents.Count == 1 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        if (root is null)
        {
            throw new BtceduException("InvalidModelCatalog", BtceduErrorKind.InvalidData, $"{file}: the catalogue must be one mapping with image_models and llm_models.", file);
        }
        var catalog = new ModelCatalogEntries([], []);
        foreach (var (key, value) in root.Children)
        {
            catalog = key.ToString() switch
            {
                "image_models" or "llm_models" => catalog.Merge(key.ToString(), value, file),
                _ => throw ModelCatalogReader.Invalid(file, key, key.ToString(), "unknown section; use image_models or llm_models"),
            };
        }
        return new ModelCatalog(catalog);
    }

    public ImageModel? FindImage(string name) => ImageModels.FirstOrDefault(m => m.Name == Key(name));

    public LlmModel? FindLlm(string name) => LlmModels.FirstOrDefault(m => m.Name == Key(name));

    /// <summary>The image model, or ImageModelUnsupported naming the catalogue's models.</summary>
    public ImageModel RequireImage(string name) =>
        FindImage(name) ?? throw new BtceduException("ImageModelUnsupported", BtceduErrorKind.InvalidArgument,
            $"Image model '{Key(name)}' is not in the model catalogue; set image_model to one of {string.Join(", ", ImageModels.Select(m => m.Name))}, or add it under image_models in btcedu.yaml.", Key(name));

    /// <summary>The LLM, or LlmPriceUnknown before any call: spending is never untracked.</summary>
    public LlmModel RequireLlm(string name) =>
        FindLlm(name) ?? throw new BtceduException("LlmPriceUnknown", BtceduErrorKind.InvalidData,
            $"No token price for LLM model '{Key(name)}'; use one of {string.Join(", ", LlmModels.Select(m => m.Name))} or add it under llm_models in btcedu.yaml, so its spending is tracked.", Key(name));

    /// <summary>This catalogue with a btcedu.yaml section (image_models or llm_models) merged in, field by field.</summary>
    internal ModelCatalog With(string section, YamlNode node, string file) => new(_entries.Merge(section, node, file));

    private static string Key(string name) => name.Trim().ToLowerInvariant();
}
