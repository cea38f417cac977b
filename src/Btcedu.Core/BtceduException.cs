namespace Btcedu.Core;

/// <summary>What kind of failure an error is; the cmdlets map it to a PowerShell ErrorCategory.</summary>
public enum BtceduErrorKind
{
    NotSpecified,
    ObjectNotFound,
    InvalidData,
    InvalidArgument,
    InvalidOperation,
    ResourceBusy,
    ResourceUnavailable,
    LimitsExceeded,
    AuthenticationError,
    ConnectionError,
    WriteError,
    ReadError,
    InvalidResult,
    OperationTimeout,
}

/// <summary>
/// An expected failure with a stable, PascalCase <see cref="ErrorId"/> and the input that failed as
/// <see cref="Target"/>. Messages are for people: they say what is wrong and what to do, never hold a secret.
/// </summary>
public class BtceduException : Exception
{
    public BtceduException(string errorId, BtceduErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public BtceduErrorKind Kind { get; }
    public object? Target { get; }
}
