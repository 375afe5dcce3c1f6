using Microsoft.Extensions.Options;

namespace GiGpoNet;

/// <summary>An <see cref="IValidateOptions{TOptions}"/> over a function that lists what is wrong with the options, one sentence each.</summary>
internal sealed class FailureListValidator<TOptions>(Func<TOptions, IEnumerable<string>> validate) : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = validate(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
