using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace GiGpoNet.Analyzers.Tests;

/// <summary>
/// Reads TorchSharp.dll's IL and finds its public members that create a <c>Scalar</c> (an implicit conversion, <c>ToScalar</c>, a
/// constructor) and never dispose one, directly or through the TorchSharp methods and lambdas they call: those whose scalar nothing
/// holds while libtorch reads it. The result is written as <c>Type.Nested.name(ParamType,…)</c>, as <c>TorchSymbols.Signature</c> does.
/// </summary>
internal static class TorchSharpScalarScan
{
    private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => (ushort)o.Value);

    public static SortedSet<string> Members(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var calls = new Dictionary<MethodDefinitionHandle, List<MethodDefinitionHandle>>();
        var creates = new HashSet<MethodDefinitionHandle>();
        foreach (var handle in reader.MethodDefinitions)
        {
            var method = reader.GetMethodDefinition(handle);
            if (method.RelativeVirtualAddress == 0) continue;
            var (callees, created, disposed) = Scan(reader, pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!);
            calls[handle] = callees;
            if (created && !disposed) creates.Add(handle);
        }
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (method, callees) in calls)
                if (!creates.Contains(method) && callees.Any(creates.Contains)) changed = creates.Add(method) | changed;
        }
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in creates)
        {
            var method = reader.GetMethodDefinition(handle);
            if ((method.Attributes & MethodAttributes.MemberAccessMask) != MethodAttributes.Public) continue;
            var signature = method.DecodeSignature(new SignatureNames(), null);
            result.Add($"{TypeName(reader, method.GetDeclaringType())}.{reader.GetString(method.Name)}({string.Join(",", signature.ParameterTypes)})");
        }
        return result;
    }

    private static (List<MethodDefinitionHandle> Callees, bool Creates, bool Disposes) Scan(MetadataReader reader, byte[] il)
    {
        var callees = new List<MethodDefinitionHandle>();
        bool creates = false, disposes = false;
        for (var i = 0; i < il.Length;)
        {
            var opCode = il[i] == 0xFE ? OpCodesByValue[(ushort)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += opCode.Size;
            if (opCode == OpCodes.Call || opCode == OpCodes.Callvirt || opCode == OpCodes.Newobj || opCode == OpCodes.Ldftn || opCode == OpCodes.Ldvirtftn)
            {
                var target = MetadataTokens.EntityHandle(BitConverter.ToInt32(il, i));
                if (target.Kind == HandleKind.MethodSpecification) target = reader.GetMethodSpecification((MethodSpecificationHandle)target).Method;
                var (type, name) = Describe(reader, target);
                creates |= (type == "Scalar" && name is "op_Implicit" or ".ctor") || name == "ToScalar";
                disposes |= type == "Scalar" && name == "Dispose";
                if (target.Kind == HandleKind.MethodDefinition) callees.Add((MethodDefinitionHandle)target);
            }
            i += OperandSize(opCode, il, i);
        }
        return (callees, creates, disposes);
    }

    private static int OperandSize(OpCode opCode, byte[] il, int at) => opCode.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static (string Type, string Name) Describe(MetadataReader reader, EntityHandle method) => method.Kind switch
    {
        HandleKind.MethodDefinition => (reader.GetString(reader.GetTypeDefinition(reader.GetMethodDefinition((MethodDefinitionHandle)method).GetDeclaringType()).Name),
            reader.GetString(reader.GetMethodDefinition((MethodDefinitionHandle)method).Name)),
        HandleKind.MemberReference => (ParentName(reader, reader.GetMemberReference((MemberReferenceHandle)method).Parent),
            reader.GetString(reader.GetMemberReference((MemberReferenceHandle)method).Name)),
        _ => ("", ""),
    };

    private static string ParentName(MetadataReader reader, EntityHandle parent) => parent.Kind switch
    {
        HandleKind.TypeDefinition => reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)parent).Name),
        HandleKind.TypeReference => reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name),
        _ => "",
    };

    private static string TypeName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? reader.GetString(type.Name) : TypeName(reader, declaring) + "." + reader.GetString(type.Name);
    }

    private sealed class SignatureNames : ISignatureTypeProvider<string, object?>
    {
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[]";
        public string GetByReferenceType(string elementType) => "ref " + elementType;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => "spec";
    }
}
