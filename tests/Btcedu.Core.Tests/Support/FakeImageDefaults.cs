using System.Runtime.CompilerServices;
using Btcedu.Core.Tests.Fakes;

namespace Btcedu.Core.Tests.Support;

/// <summary>
/// The suite's unit tests don't care what an image weighs, and many of them are about timing on a shared 2-core
/// machine: they take the fake's tiny PNGs. Tests about the realistic ones (RealisticPngTests) turn them back on;
/// the bench and the soak never take tiny ones (docs/PERFORMANCE.md).
/// </summary>
internal static class FakeImageDefaults
{
    [ModuleInitializer]
    internal static void TinyImagesForUnitTests() => FakeImageApi.TinyByDefault = true;
}
