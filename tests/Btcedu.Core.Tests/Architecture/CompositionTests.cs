using Btcedu.Core.Tests.Support;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Btcedu.Core.Tests.Architecture;

/// <summary>
/// Cmdlets are thin: they get stores, reports and the OpenAI services from BtceduWorkspace (Composition), never build
/// them. Read from the built cmdlet assembly (module/Btcedu.PowerShell.dll): every object a method body creates.
/// </summary>
public sealed class CompositionTests
{
    [Fact]
    public void No_cmdlet_constructs_a_store_a_report_or_an_OpenAI_service()
    {
        var violations = Constructions()
            .Where(c => c.Type.Namespace == "Btcedu.Core.Storage"
                || c.Type.FullName == "Btcedu.Core.Pipeline.InterruptedRuns"
                || (c.Type.Namespace is "Btcedu.Core.Imaging" or "Btcedu.Core.Llm" or "Btcedu.Core.OpenAi" && c.Type.Name.StartsWith("OpenAI", StringComparison.Ordinal)))
            .Select(c => $"{c.Method} creates {c.Type.FullName}")
            .ToList();

        Assert.Empty(violations);
    }

    [Fact]
    public void The_test_sees_what_a_cmdlet_creates()
    {
        Assert.Contains(Constructions(), c => c.Type.FullName == "System.Management.Automation.ErrorRecord");
    }

    private static IEnumerable<(string Method, TypeReference Type)> Constructions()
    {
        var module = ModuleDefinition.ReadModule(Repo.File("module", "Btcedu.PowerShell.dll"));
        return module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody)
            .SelectMany(m => m.Body.Instructions.Where(i => i.OpCode == OpCodes.Newobj && i.Operand is MethodReference)
                .Select(i => (m.FullName, ((MethodReference)i.Operand).DeclaringType)));
    }
}
