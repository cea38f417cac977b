using System.Reflection;
using Btcedu.Core.Imaging;

namespace Btcedu.Core.Tests.Imaging;

/// <summary>Core's public API exposes no third-party type, so another provider or library can replace them.</summary>
public sealed class PublicApiTests
{
    private static readonly string[] ThirdParty = ["OpenAI", "Polly", "SkiaSharp", "System.ClientModel", "Microsoft.Data.Sqlite", "YamlDotNet"];

    [Fact]
    public void No_public_signature_in_core_mentions_a_third_party_type()
    {
        var offenders = new List<string>();
        foreach (var type in typeof(IImageGenService).Assembly.GetExportedTypes())
        {
            Check(type, type.BaseType, "base");
            foreach (var i in type.GetInterfaces())
            {
                Check(type, i, "interface");
            }
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                switch (member)
                {
                    case MethodBase m:
                        foreach (var p in m.GetParameters())
                        {
                            Check(type, p.ParameterType, m.Name);
                        }
                        if (m is MethodInfo mi)
                        {
                            Check(type, mi.ReturnType, m.Name);
                        }
                        break;
                    case PropertyInfo p:
                        Check(type, p.PropertyType, p.Name);
                        break;
                    case FieldInfo f:
                        Check(type, f.FieldType, f.Name);
                        break;
                }
            }
        }
        Assert.Empty(offenders);

        void Check(Type owner, Type? t, string where)
        {
            if (t is null)
            {
                return;
            }
            if (t.IsGenericType)
            {
                foreach (var a in t.GetGenericArguments())
                {
                    Check(owner, a, where);
                }
            }
            if (t.HasElementType)
            {
                Check(owner, t.GetElementType(), where);
            }
            if (ThirdParty.Any(ns => (t.Namespace ?? "").StartsWith(ns, StringComparison.Ordinal)))
            {
                offenders.Add($"{owner.FullName}.{where}: {t.FullName}");
            }
        }
    }
}
