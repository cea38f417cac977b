namespace Btcedu.Core.Workspace;

/// <summary>
/// Holds the API key so that no ToString, record print-out, log line or serialiser can show it:
/// only <see cref="Reveal"/> gives the value, and only the HTTP client calls it.
/// </summary>
public sealed class Secret
{
    private readonly string _value;

    public Secret(string value) => _value = value;

    public string Reveal() => _value;

    public override string ToString() => "********";
}
