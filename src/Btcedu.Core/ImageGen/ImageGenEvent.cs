namespace Btcedu.Core.ImageGen;

/// <summary>
/// What a run reports while it works. Workers only post events; the caller (the cmdlet, on its own thread)
/// turns them into output, progress, warnings and verbose lines.
/// </summary>
public abstract record ImageGenEvent;

/// <summary>A chapter is done; these arrive in chapter order whatever order the work finished in.</summary>
public sealed record ChapterCompleted(ImageGenChapterResult Result) : ImageGenEvent;

public sealed record ProgressChanged(int Done, int Total, decimal SpentUsd, string ChapterId) : ImageGenEvent;

public sealed record RunMessage(string Text, bool IsWarning) : ImageGenEvent;
