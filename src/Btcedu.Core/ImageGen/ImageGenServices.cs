using Btcedu.Core.Chapters;
using Btcedu.Core.Pipeline;
using Btcedu.Core.Settings;
using Btcedu.Core.Storage;
using Btcedu.Core.Workspace;

namespace Btcedu.Core.ImageGen;

/// <summary>What the image stage needs of a workspace, passed in explicitly (the composition root builds it).</summary>
public sealed record ImageGenServices(
    WorkspacePaths Paths,
    BtceduSettings Settings,
    TimeProvider Time,
    Database Database,
    EpisodeStore Episodes,
    ChapterCatalog Chapters,
    Invalidation Invalidation);
