namespace Btcedu.Core.Storage;

/// <summary>One additive schema change. The list in <see cref="Migrations.All"/> is append-only.</summary>
public sealed record Migration(int Id, string Name, string Sql);
