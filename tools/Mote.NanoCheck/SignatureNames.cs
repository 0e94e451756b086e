using System.Collections.Immutable;
using System.Linq;
using System.Reflection.Metadata;

namespace Mote.NanoCheck
{
    /// <summary>A decoded signature type: its C#-like name and whether it contains a generic
    /// instantiation or a multidimensional array anywhere inside.</summary>
    public sealed class SigType
    {
        public string Name;
        public string Generic;   // first generic instantiation inside, or null
        public string MdArray;   // first multidimensional array type inside, or null

        public static SigType Of(string name) => new SigType { Name = name };

        SigType Wrap(string name) => new SigType { Name = name, Generic = Generic, MdArray = MdArray };

        internal SigType Derived(string name) => Wrap(name);
    }

    /// <summary>Decodes metadata signatures into <see cref="SigType"/> (System.Reflection.Metadata provider).</summary>
    public sealed class SignatureNames : ISignatureTypeProvider<SigType, object>
    {
        public static string Keyword(PrimitiveTypeCode code)
        {
            switch (code)
            {
                case PrimitiveTypeCode.Boolean: return "bool";
                case PrimitiveTypeCode.Byte: return "byte";
                case PrimitiveTypeCode.SByte: return "sbyte";
                case PrimitiveTypeCode.Char: return "char";
                case PrimitiveTypeCode.Int16: return "short";
                case PrimitiveTypeCode.UInt16: return "ushort";
                case PrimitiveTypeCode.Int32: return "int";
                case PrimitiveTypeCode.UInt32: return "uint";
                case PrimitiveTypeCode.Int64: return "long";
                case PrimitiveTypeCode.UInt64: return "ulong";
                case PrimitiveTypeCode.Single: return "float";
                case PrimitiveTypeCode.Double: return "double";
                case PrimitiveTypeCode.String: return "string";
                case PrimitiveTypeCode.Object: return "object";
                case PrimitiveTypeCode.Void: return "void";
                case PrimitiveTypeCode.IntPtr: return "System.IntPtr";
                case PrimitiveTypeCode.UIntPtr: return "System.UIntPtr";
                case PrimitiveTypeCode.TypedReference: return "System.TypedReference";
                default: return code.ToString();
            }
        }

        static string StripArity(string name)
        {
            int tick = name.IndexOf('`');
            return tick < 0 ? name : name.Substring(0, tick);
        }

        public static string TypeDefName(MetadataReader md, TypeDefinitionHandle handle)
        {
            var t = md.GetTypeDefinition(handle);
            string name = StripArity(md.GetString(t.Name));
            var declaring = t.GetDeclaringType();
            if (!declaring.IsNil) return TypeDefName(md, declaring) + "." + name;
            string ns = md.GetString(t.Namespace);
            return ns.Length > 0 ? ns + "." + name : name;
        }

        public static string TypeRefName(MetadataReader md, TypeReferenceHandle handle)
        {
            var t = md.GetTypeReference(handle);
            string name = StripArity(md.GetString(t.Name));
            if (t.ResolutionScope.Kind == HandleKind.TypeReference)
                return TypeRefName(md, (TypeReferenceHandle)t.ResolutionScope) + "." + name;
            string ns = md.GetString(t.Namespace);
            return ns.Length > 0 ? ns + "." + name : name;
        }

        public SigType GetPrimitiveType(PrimitiveTypeCode typeCode) => SigType.Of(Keyword(typeCode));

        public SigType GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            SigType.Of(TypeDefName(reader, handle));

        public SigType GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
            SigType.Of(TypeRefName(reader, handle));

        public SigType GetTypeFromSpecification(MetadataReader reader, object genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public SigType GetSZArrayType(SigType elementType) => elementType.Derived(elementType.Name + "[]");

        public SigType GetArrayType(SigType elementType, ArrayShape shape)
        {
            var t = elementType.Derived(elementType.Name + "[" + new string(',', shape.Rank - 1) + "]");
            if (t.MdArray == null) t.MdArray = t.Name;
            return t;
        }

        public SigType GetGenericInstantiation(SigType genericType, ImmutableArray<SigType> typeArguments)
        {
            var t = SigType.Of(genericType.Name + "<" + string.Join(", ", typeArguments.Select(a => a.Name)) + ">");
            t.Generic = t.Name;
            t.MdArray = typeArguments.Select(a => a.MdArray).FirstOrDefault(x => x != null);
            return t;
        }

        public SigType GetGenericTypeParameter(object genericContext, int index) => SigType.Of("!" + index);
        public SigType GetGenericMethodParameter(object genericContext, int index) => SigType.Of("!!" + index);
        public SigType GetByReferenceType(SigType elementType) => elementType.Derived("ref " + elementType.Name);
        public SigType GetPointerType(SigType elementType) => elementType.Derived(elementType.Name + "*");
        public SigType GetPinnedType(SigType elementType) => elementType;
        public SigType GetModifiedType(SigType modifier, SigType unmodifiedType, bool isRequired) => unmodifiedType;
        public SigType GetFunctionPointerType(MethodSignature<SigType> signature) => SigType.Of("delegate*");
    }
}
