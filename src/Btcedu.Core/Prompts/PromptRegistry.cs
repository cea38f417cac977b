using Btcedu.Core.Storage;

namespace Btcedu.Core.Prompts;

/// <summary>Loads the templates shipped in <c>prompts/</c> and records each distinct content as a version.</summary>
public sealed class PromptRegistry
{
    private readonly string _directory;
    private readonly PromptVersionStore _store;

    public PromptRegistry(string directory, PromptVersionStore store)
    {
        _directory = directory;
        _store = store;
    }

    public string Directory => _directory;

    /// <summary>
    /// The template <c>{name}.md</c> and its version. With <paramref name="record"/> false nothing is written:
    /// a content not yet recorded gets a provisional version (Id 0), as a dry run needs.
    /// </summary>
    public (PromptTemplate Template, PromptVersion Version) Load(string name, bool record = true)
    {
        var path = Path.Combine(_directory, name + ".md");
        var template = PromptTemplate.Load(path);
        if (!string.Equals(template.Name, name, StringComparison.Ordinal))
        {
            throw new BtceduException("InvalidPromptTemplate", BtceduErrorKind.InvalidData,
                $"Prompt template '{path}' names itself '{template.Name}' in its frontmatter; expected '{name}'.", path);
        }
        return (template, record ? Record(template) : _store.Find(template.Name, template.ContentHash) ?? Provisional(template, RelativePath(name)));
    }

    /// <summary>Records a loaded template's content as a version (once per distinct content) and returns it.</summary>
    public PromptVersion Record(PromptTemplate template) =>
        _store.Register(new NewPromptVersion(template.Name, template.ContentHash, RelativePath(template.Name), template.Model, template.Temperature, template.MaxTokens, template.Description));

    private static string RelativePath(string name) => Path.Combine("prompts", name + ".md").Replace('\\', '/');

    private PromptVersion Provisional(PromptTemplate template, string relative) =>
        new(0, template.Name, _store.List(template.Name).Select(v => v.Version).DefaultIfEmpty(0).Max() + 1, template.ContentHash, relative,
            template.Model, template.Temperature, template.MaxTokens, false, DateTimeOffset.MinValue, template.Description);
}
