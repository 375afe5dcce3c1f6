namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A chat template that cannot be parsed, or that failed while rendering (including its own <c>raise_exception</c>): the message says
/// where and why.
/// </summary>
public sealed class ChatTemplateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChatTemplateException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ChatTemplateException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates an exception without a message.</summary>
    public ChatTemplateException()
    {
    }

    /// <summary>Whether the template raised it itself (<c>raise_exception</c>): a refusal of its input rather than a broken template.</summary>
    public bool RaisedByTemplate { get; init; }
}
