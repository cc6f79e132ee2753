namespace LocalQa.Llama;

/// <summary>One message for a chat template.</summary>
public readonly record struct ChatTurn(string Role, string Content);
