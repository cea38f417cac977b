namespace Btcedu.Core.Workspace;

/// <summary>One violation in a JSON input, at its JSON path (e.g. <c>chapters[3].visual.type</c>; "" for the whole input).</summary>
internal sealed record JsonProblem(string Path, string Message);
