using Btcedu.Core.Models;
using Btcedu.Core.OpenAi;
using Btcedu.Core.Workspace;
using OpenAI.Chat;
using Btcedu.Core.Settings;

namespace Btcedu.Core.Llm;

/// <summary>
/// <see cref="ITextGenService"/> over OpenAI's chat completions on the configured endpoint and key, with the
/// same single Polly pipeline as the image service (429/5xx/network/timeouts retried; content filter,
/// auth and unknown models not).
/// </summary>
public sealed class OpenAITextGenService : ITextGenService, IDisposable
{
    private readonly OpenAIConnection _connection;
    private readonly ModelCatalog _models;

    /// <param name="endpoint">Where to call, the key and the per-attempt timeout.</param>
    /// <param name="models">The model catalogue: the LLMs' prices.</param>
    /// <param name="options">Retry and timeout tuning; null for the defaults.</param>
    /// <param name="timeProvider">Clock for Polly's delays and timeouts; null for the system clock.</param>
    /// <param name="log">Receives one line per retry and failure; the key is scrubbed from every line.</param>
    public OpenAITextGenService(OpenAIEndpoint endpoint, ModelCatalog models, OpenAIServiceOptions? options = null, TimeProvider? timeProvider = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _connection = new OpenAIConnection(endpoint, options ?? new OpenAIServiceOptions(), timeProvider ?? TimeProvider.System, log, "llm");
        _models = models ?? throw new ArgumentNullException(nameof(models));
    }

    /// <summary>The service for the endpoint and catalogue the settings describe.</summary>
    /// <exception cref="BtceduException">No API key is configured (OpenAiApiKeyMissing).</exception>
    public OpenAITextGenService(BtceduSettings settings, OpenAIServiceOptions? options = null, TimeProvider? timeProvider = null, Action<string>? log = null)
        : this(OpenAIEndpoint.From(settings), settings.Models, options, timeProvider, log)
    {
    }

    /// <inheritdoc />
    /// <exception cref="BtceduException">The model has no price (before any call).</exception>
    public async Task<TextGenResult> CompleteAsync(TextGenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Model, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.UserPrompt, nameof(request));
        ArgumentOutOfRangeException.ThrowIfNegative(request.Temperature, nameof(request));
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxTokens, 1, nameof(request));
        var model = request.Model.Trim().ToLowerInvariant();
        var price = _models.RequireLlm(model);

        var client = new ChatClient(model, _connection.Credential, _connection.ClientOptions);
        List<ChatMessage> messages = [];
        if (!string.IsNullOrWhiteSpace(request.SystemPrompt))
        {
            messages.Add(new SystemChatMessage(request.SystemPrompt));
        }
        messages.Add(new UserChatMessage(request.UserPrompt));
        var options = new ChatCompletionOptions { Temperature = (float)request.Temperature, MaxOutputTokenCount = request.MaxTokens };

        var call = await _connection.ExecuteAsync(
            token => client.CompleteChatAsync(messages, options, token),
            cancellationToken).ConfigureAwait(false);

        // A timed-out attempt may have been completed and billed: count it at the most the call could cost.
        var result = new TextGenResult { Outcome = ApiOutcome.Failed, Attempts = call.Attempts, CostUsd = call.TimedOutAttempts * request.MaxCostUsd(price) };
        if (call.Failure is { } failure)
        {
            var message = _connection.Describe(failure, call.Attempts, model);
            _connection.Log($"llm: {model} failed: {message}");
            return result with { Outcome = failure.Outcome, ErrorMessage = message };
        }

        var completion = call.Value!;
        int input = completion.Usage?.InputTokenCount ?? 0, output = completion.Usage?.OutputTokenCount ?? 0;
        result = result with
        {
            InputTokens = completion.Usage?.InputTokenCount,
            OutputTokens = completion.Usage?.OutputTokenCount,
            CostUsd = result.CostUsd + price.Cost(input, output),
        };
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text)).Trim();

        if (completion.FinishReason == ChatFinishReason.ContentFilter || !string.IsNullOrEmpty(completion.Refusal))
        {
            return Fail(result, ApiOutcome.ContentPolicyRejected,
                $"The model refused or its content filter stopped the answer: {_connection.Scrubber.Scrub(completion.Refusal ?? "content_filter")}");
        }
        if (text.Length == 0)
        {
            return Fail(result, ApiOutcome.Failed, "The model answered with no text.");
        }
        if (completion.FinishReason == ChatFinishReason.Length)
        {
            // A prompt cut off mid-sentence would go to the image model as is; better to fail and say why.
            return Fail(result, ApiOutcome.Failed, $"The answer was cut off at the {request.MaxTokens}-token limit; raise max_tokens for this prompt.");
        }
        return result with { Outcome = ApiOutcome.Succeeded, Text = text };
    }

    public void Dispose() => _connection.Dispose();

    private TextGenResult Fail(TextGenResult result, ApiOutcome outcome, string message)
    {
        _connection.Log($"llm: {message}");
        return result with { Outcome = outcome, ErrorMessage = message };
    }

}
