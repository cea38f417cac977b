using YamlDotNet.RepresentationModel;

namespace Btcedu.Core.Models;

/// <summary>One field of a catalogue entry, with the file it came from so errors can name file and line.</summary>
internal sealed record CatalogField(YamlNode Key, YamlNode Value, string File);

/// <summary>
/// The catalogue before it is read into records: model name → field name → field. Overrides merge here, field by
/// field, so btcedu.yaml can change one price without restating the model.
/// </summary>
internal sealed record ModelCatalogEntries(
    IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, CatalogField>>> Image,
    IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, CatalogField>>> Llm)
{
    public ModelCatalogEntries Merge(string section, YamlNode node, string file)
    {
        if (node is not YamlMappingNode models)
        {
            throw ModelCatalogReader.Invalid(file, node, section, "must map model names to their entries");
        }
        var merged = (section == "image_models" ? Image : Llm).ToList();
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (nameNode, entryNode) in models.Children)
        {
            var name = nameNode.ToString().Trim().ToLowerInvariant();
            // Names are compared as they are read (trimmed, lower case): DALL-E-3 and dall-e-3 in one file are one model twice.
            if (!named.Add(name))
            {
                throw ModelCatalogReader.Invalid(file, nameNode, $"{section}.{name}", "the model appears more than once (names ignore case); give it once");
            }
            if (entryNode is not YamlMappingNode entry)
            {
                throw ModelCatalogReader.Invalid(file, entryNode, $"{section}.{name}", "must be a mapping of fields");
            }
            var index = merged.FindIndex(e => e.Key == name);
            var fields = new Dictionary<string, CatalogField>(index >= 0 ? merged[index].Value : new Dictionary<string, CatalogField>(), StringComparer.Ordinal);
            foreach (var (fieldKey, fieldValue) in entry.Children)
            {
                fields[fieldKey.ToString()] = new CatalogField(fieldKey, fieldValue, file);
            }
            var item = new KeyValuePair<string, IReadOnlyDictionary<string, CatalogField>>(name, fields);
            if (index >= 0)
            {
                merged[index] = item;
            }
            else
            {
                merged.Add(item);
            }
        }
        return section == "image_models" ? this with { Image = merged } : this with { Llm = merged };
    }
}
