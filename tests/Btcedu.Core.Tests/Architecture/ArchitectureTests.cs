using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Btcedu.Core.Tests.Architecture;

/// <summary>
/// Core's folders form a one-way ladder (docs/ARCHITECTURE.md): a folder may use the folders above it in
/// <see cref="Ladder"/> and never one below. Read from the compiled assembly: every type a type names in its
/// signatures, attributes and method bodies.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>The rungs, top (used by everything) to bottom (uses everything).</summary>
    public static readonly string[] Ladder =
    [
        "Btcedu.Core",              // 0  the error shape
        "Btcedu.Core.Workspace",    // 1  primitives: paths, atomic files, JSON, ids, lock, time
        "Btcedu.Core.Episodes",     // 2  the episode, statuses, stage names
        "Btcedu.Core.Models",       // 3  the model catalogue
        "Btcedu.Core.Storage",      // 4  SQLite and one store per table
        "Btcedu.Core.Settings",     // 5  settings and their loader
        "Btcedu.Core.OpenAi",       // 6  the shared OpenAI connection
        "Btcedu.Core.Pipeline",     // 7  stage graph, markers, invalidation
        "Btcedu.Core.Prompts",      // 8  prompt templates
        "Btcedu.Core.Imaging",      // 9  the image service
        "Btcedu.Core.Llm",          // 10 the text service
        "Btcedu.Core.Chapters",     // 11 the chapter document
        "Btcedu.Core.ImageGen",     // 12 the image stage
        "Btcedu.Core.Gallery",      // 13 the static review gallery
        "Btcedu.Core.Composition",  // 14 the composition root
    ];

    [Fact]
    public void Every_namespace_of_Core_is_a_rung_of_the_ladder()
    {
        var namespaces = CoreTypes().Select(t => Namespace(t)).Where(n => n.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Empty(namespaces.Except(Ladder));
    }

    [Fact]
    public void No_type_of_Core_uses_a_folder_below_its_own()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in CoreTypes())
        {
            var rung = Rung(Namespace(type));
            foreach (var used in Uses(type).Select(Namespace).Where(IsCore).Distinct())
            {
                if (Rung(used) is var usedRung && usedRung > rung)
                {
                    violations.Add($"{type.FullName} ({Ladder[rung]}) uses {used}, which is below it");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void The_test_sees_a_reference_against_the_ladder()
    {
        // The composition root uses the image stage: allowed one way, caught the other.
        var root = CoreTypes().Single(t => t.Name == "BtceduWorkspace");
        Assert.Contains(Uses(root), u => Namespace(u) == "Btcedu.Core.ImageGen");
        Assert.True(Rung("Btcedu.Core.ImageGen") < Rung("Btcedu.Core.Composition"));
        var storeUsesOnlyAbove = Uses(CoreTypes().Single(t => t.Name == "PipelineRunStore")).Select(Namespace).Where(IsCore);
        Assert.All(storeUsesOnlyAbove, n => Assert.True(Rung(n) <= Rung("Btcedu.Core.Storage"), n));
    }

    private static bool IsCore(string ns) => ns == "Btcedu.Core" || ns.StartsWith("Btcedu.Core.", StringComparison.Ordinal);

    private static int Rung(string ns)
    {
        var i = Array.IndexOf(Ladder, ns);
        return i >= 0 ? i : throw new Xunit.Sdk.XunitException($"{ns} is not a rung of the ladder");
    }

    // Nested (compiler-generated) types belong to their outer type's namespace.
    private static string Namespace(TypeReference type)
    {
        while (type.IsNested)
        {
            type = type.DeclaringType;
        }
        return type.Namespace;
    }

    private static IEnumerable<TypeDefinition> CoreTypes()
    {
        var module = ModuleDefinition.ReadModule(typeof(BtceduException).Assembly.Location);
        return module.GetTypes().Where(t => t.Name != "<Module>" && !t.Name.StartsWith("<PrivateImplementationDetails>", StringComparison.Ordinal)
            && !(Namespace(t) is "" or "System.Text.RegularExpressions.Generated" || Namespace(t).StartsWith("System", StringComparison.Ordinal) || Namespace(t).StartsWith("Microsoft", StringComparison.Ordinal)));
    }

    /// <summary>Every type the type names: base, interfaces, fields, properties, attributes, signatures and IL operands.</summary>
    private static IEnumerable<TypeReference> Uses(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            switch (t)
            {
                case null:
                    return;
                case GenericInstanceType g:
                    Add(g.ElementType);
                    foreach (var a in g.GenericArguments) { Add(a); }
                    return;
                case TypeSpecification s:
                    Add(s.ElementType);
                    return;
                case GenericParameter:
                    return;
                default:
                    found.Add(t);
                    return;
            }
        }
        void AddAttributes(ICustomAttributeProvider p)
        {
            foreach (var a in p.CustomAttributes) { Add(a.AttributeType); }
        }
        Add(type.BaseType);
        AddAttributes(type);
        foreach (var i in type.Interfaces) { Add(i.InterfaceType); }
        foreach (var f in type.Fields) { Add(f.FieldType); AddAttributes(f); }
        foreach (var p in type.Properties) { Add(p.PropertyType); AddAttributes(p); }
        foreach (var m in type.Methods)
        {
            Add(m.ReturnType);
            AddAttributes(m);
            foreach (var p in m.Parameters) { Add(p.ParameterType); }
            if (!m.HasBody)
            {
                continue;
            }
            foreach (var v in m.Body.Variables) { Add(v.VariableType); }
            foreach (var instruction in m.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t: Add(t); break;
                    case MethodReference mr:
                        Add(mr.DeclaringType);
                        Add(mr.ReturnType);
                        foreach (var p in mr.Parameters) { Add(p.ParameterType); }
                        if (mr is GenericInstanceMethod gm) { foreach (var a in gm.GenericArguments) { Add(a); } }
                        break;
                    case FieldReference fr: Add(fr.DeclaringType); Add(fr.FieldType); break;
                }
            }
        }
        return found;
    }
}
