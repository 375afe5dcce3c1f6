using System.Globalization;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>
/// AdamW (Adam with decoupled weight decay, Loshchilov and Hutter), computed operation for operation as PyTorch's and TorchSharp's
/// single-tensor AdamW compute it, so its results are the same to the bit. It exists because TorchSharp's own passes every
/// coefficient as a temporary <see cref="Scalar"/> that nothing references during the native call: a garbage collection on another
/// thread can finalize it while libtorch reads it (see <c>HeldScalars</c>). Here every scalar operand is held in a local until the
/// step returns. Its state (both moments and the step counts) is saved as safetensors.
/// A parameter held in bfloat16 or float16 gets a float32 master copy: the moments are float32 too, the step updates the master from
/// the gradient cast to float32, and the parameter takes the master's rounded value, so that updates smaller than the half-precision
/// spacing accumulate instead of being lost. The masters are saved with the moments, and a resumed run continues from them exactly.
/// </summary>
internal sealed class AdamWOptimizer : IDisposable
{
    private const string StepsKey = "steps";
    private const string ParameterStepsKey = "parameter_steps";
    private const string MasterPrefix = "master.";

    private readonly Parameter[] _parameters;
    private readonly Tensor?[] _masters;
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly long[] _parameterSteps;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;

    /// <summary>Creates the optimizer with zero moments; call it outside any dispose scope.</summary>
    public AdamWOptimizer(IEnumerable<Parameter> parameters, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β2 must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        _parameters = [.. parameters];
        using (no_grad())
            _masters = [.. _parameters.Select(p => p.dtype == ScalarType.Float32 ? null : p.to_type(ScalarType.Float32))];
        _firstMoments = [.. _parameters.Select((p, i) => zeros_like(_masters[i] ?? p))];
        _secondMoments = [.. _parameters.Select((p, i) => zeros_like(_masters[i] ?? p))];
        _parameterSteps = new long[_parameters.Length];
        (_beta1, _beta2, _epsilon, _weightDecay) = (beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>The steps taken so far.</summary>
    public int Steps { get; private set; }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope(); // reading .grad creates tensor handles
        foreach (var parameter in _parameters) parameter.grad?.zero_();
    }

    /// <summary>One step at <paramref name="learningRate"/>; a parameter without a gradient is left as it is, its step count too.</summary>
    public void Step(double learningRate)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var decay = (1 - learningRate * _weightDecay).ToScalar();
        using var beta1 = _beta1.ToScalar();
        using var oneMinusBeta1 = (1 - _beta1).ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var epsilon = _epsilon.ToScalar();
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i].grad is not { } parameterGradient) continue;
            var master = _masters[i] ?? _parameters[i];
            var gradient = _masters[i] is null ? parameterGradient : parameterGradient.to_type(ScalarType.Float32);
            var step = ++_parameterSteps[i];
            using var rootOfSecondCorrection = Math.Sqrt(1 - Math.Pow(_beta2, step)).ToScalar();
            using var negativeStepSize = (-(learningRate / (1 - Math.Pow(_beta1, step)))).ToScalar();
            master.mul_(decay);
            _firstMoments[i].mul_(beta1).add_(gradient, oneMinusBeta1);
            _secondMoments[i].mul_(beta2).addcmul_(gradient, gradient, oneMinusBeta2);
            var denominator = _secondMoments[i].sqrt().div_(rootOfSecondCorrection).add_(epsilon, HeldScalars.One);
            master.addcdiv_(_firstMoments[i], denominator, negativeStepSize);
            if (_masters[i] is not null) _parameters[i].copy_(master);
        }
        Steps++;
    }

    /// <summary>Writes both moments, the float32 masters of half-precision parameters and the step counts to one safetensors file.</summary>
    public void Save(string path)
    {
        var tensors = _firstMoments.Select((m, i) => KeyValuePair.Create($"exp_avg.{i}", m))
            .Concat(_secondMoments.Select((v, i) => KeyValuePair.Create($"exp_avg_sq.{i}", v)))
            .Concat(_masters.Select((m, i) => KeyValuePair.Create($"{MasterPrefix}{i}", m)).Where(m => m.Value is not null)!);
        SafeTensors.Save(path, tensors, new Dictionary<string, string>
        {
            [StepsKey] = Steps.ToString(CultureInfo.InvariantCulture),
            [ParameterStepsKey] = string.Join(',', _parameterSteps.Select(s => s.ToString(CultureInfo.InvariantCulture))),
        });
    }

    /// <summary>Restores what <see cref="Save"/> wrote for the same parameters; a file for other parameters is refused, and nothing changes.</summary>
    public void Load(string path)
    {
        var metadata = SafeTensors.Metadata(path);
        using var scope = NewDisposeScope(); // keeps the loaded tensors and the handles read from them alive
        var loaded = SafeTensors.Load(path);
        if (!metadata.TryGetValue(StepsKey, out var stepsText) || !metadata.TryGetValue(ParameterStepsKey, out var parameterStepsText))
            throw new InvalidDataException($"'{path}' holds no optimizer step counts: it was not written by this optimizer.");
        var parameterSteps = parameterStepsText.Length == 0 ? [] : parameterStepsText.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var masters = _masters.Count(m => m is not null);
        if (parameterSteps.Length != _parameters.Length || loaded.Count(t => !t.Key.StartsWith(MasterPrefix, StringComparison.Ordinal)) != 2 * _parameters.Length)
            throw new InvalidDataException($"'{path}' holds the optimizer state of {parameterSteps.Length} parameters; this model has {_parameters.Length}.");
        if (loaded.Count - 2 * _parameters.Length != masters)
            throw new InvalidDataException($"'{path}' holds float32 master weights for {loaded.Count - 2 * _parameters.Length} parameters; this model has {masters} " +
                "half-precision parameters: resume with the Backend:Dtype the run was started with.");
        for (var i = 0; i < _parameters.Length; i++)
            foreach (var name in (string[])[$"exp_avg.{i}", $"exp_avg_sq.{i}", .. _masters[i] is null ? [] : (string[])[$"{MasterPrefix}{i}"]])
                if (!loaded.TryGetValue(name, out var tensor) || !tensor.shape.SequenceEqual(_parameters[i].shape))
                    throw new InvalidDataException($"'{path}': '{name}' is missing or does not have the shape of parameter {i} ([{string.Join(", ", _parameters[i].shape)}]).");
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            _firstMoments[i].copy_(loaded[$"exp_avg.{i}"]);
            _secondMoments[i].copy_(loaded[$"exp_avg_sq.{i}"]);
            _masters[i]?.copy_(loaded[$"{MasterPrefix}{i}"]);
        }
        parameterSteps.CopyTo(_parameterSteps, 0);
        Steps = int.Parse(stepsText, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var state in _firstMoments.Concat(_secondMoments).Concat(_masters.OfType<Tensor>())) state.Dispose();
    }
}
