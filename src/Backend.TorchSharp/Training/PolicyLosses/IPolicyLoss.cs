namespace GiGpoNet.Backend.Training;

/// <summary>
/// The policy-gradient loss of the update, registered by name and chosen with <c>Update:PolicyLoss</c> (verl's
/// <c>register_policy_loss</c>): the built-in <c>vanilla</c> is PPO-clip with the dual clip; a GSPO- or DAPO-style loss is a class
/// of your own, registered with <c>builder.AddPolicyLoss&lt;TLoss&gt;("name")</c> in code or in a plugin. The updater adds the
/// entropy bonus and the KL term to it.
/// </summary>
public interface IPolicyLoss
{
    /// <summary>
    /// Computes the loss of one micro-batch. It runs inside the micro-batch's dispose scope: tensors it creates are released with it,
    /// and a <c>Scalar</c> operand must be held in a <c>using</c> local until the native call that reads it returns.
    /// </summary>
    PolicyLossResult Compute(PolicyLossInputs inputs);
}
