using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Mote.NanoCheck
{
    /// <summary>
    /// Scans an emitted assembly's metadata and IL for what nanoFramework's CLR cannot run:
    /// the opcodes localloc (stackalloc), cpblk, initblk, calli and jmp; generic type and method
    /// definitions and instantiations; multidimensional arrays; and System.Math/MathF calls beyond
    /// the exact helpers (Abs/Min/Max/Clamp/Sign) that nanoFramework.System.Math provides.
    /// Each finding is mapped to file:line through the portable PDB's sequence points (the
    /// instruction's statement); definitions map to their declaration through the Roslyn symbols.
    /// </summary>
    public sealed class IlScanner
    {
        /// <summary>Math helpers that are exact (no rounding) and present in nanoFramework.System.Math for
        /// some overloads; any other System.Math/MathF member is float math.</summary>
        internal static readonly HashSet<string> ExactMath = new HashSet<string>(StringComparer.Ordinal) { "Abs", "Min", "Max", "Clamp", "Sign" };

        static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null))
            .ToDictionary(o => unchecked((ushort)o.Value), o => o);

        static readonly Dictionary<string, string> UnsupportedOpcodes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["localloc"] = "opcode localloc (stackalloc) is not supported by nanoFramework's CLR",
            ["cpblk"] = "opcode cpblk is not supported by nanoFramework's CLR",
            ["initblk"] = "opcode initblk is not supported by nanoFramework's CLR",
            ["calli"] = "opcode calli is not supported by nanoFramework's CLR",
            ["jmp"] = "opcode jmp is not supported by nanoFramework's CLR",
        };

        const string NoGenerics = "nanoFramework 1.x has no generics";

        readonly MetadataReader _md;
        readonly MetadataReader _pdb;
        readonly PEReader _pe;
        readonly CSharpCompilation _compilation;
        readonly NanoApi _api;
        readonly bool _allowNanoMath;
        readonly SignatureNames _names = new SignatureNames();
        readonly HashSet<Finding> _findings = new HashSet<Finding>();
        readonly Dictionary<string, SyntaxTree> _trees;

        IlScanner(PEReader pe, MetadataReader pdb, CSharpCompilation compilation, NanoApi api, bool allowNanoMath)
        {
            _pe = pe;
            _md = pe.GetMetadataReader();
            _pdb = pdb;
            _compilation = compilation;
            _api = api;
            _allowNanoMath = allowNanoMath;
            _trees = compilation.SyntaxTrees.ToDictionary(t => t.FilePath, t => t, StringComparer.Ordinal);
        }

        public static IReadOnlyCollection<Finding> Scan(byte[] peImage, byte[] pdbImage, CSharpCompilation compilation, NanoApi api, bool allowNanoMath)
        {
            using (var pe = new PEReader(ImmutableArray.Create(peImage)))
            using (var pdbProvider = MetadataReaderProvider.FromPortablePdbImage(ImmutableArray.Create(pdbImage)))
            {
                var scanner = new IlScanner(pe, pdbProvider.GetMetadataReader(), compilation, api, allowNanoMath);
                scanner.Run();
                return scanner._findings;
            }
        }

        void Run()
        {
            foreach (var typeHandle in _md.TypeDefinitions)
            {
                var type = _md.GetTypeDefinition(typeHandle);
                string typeName = SignatureNames.TypeDefName(_md, typeHandle);
                if (typeName == "<Module>") continue;
                bool generated = _md.GetString(type.Name).StartsWith("<", StringComparison.Ordinal);

                if (type.GetGenericParameters().Count > 0 && !generated)
                    Report(TypeLocation(typeHandle), FindingKind.Generic, "generic type definition " + typeName + GenericParams(type.GetGenericParameters()) + ": " + NoGenerics);
                CheckTypeHandle(type.BaseType, () => TypeLocation(typeHandle), "base type of " + typeName);
                foreach (var ih in type.GetInterfaceImplementations())
                    CheckTypeHandle(_md.GetInterfaceImplementation(ih).Interface, () => TypeLocation(typeHandle), "interface of " + typeName);

                foreach (var fh in type.GetFields())
                {
                    var field = _md.GetFieldDefinition(fh);
                    var sig = field.DecodeSignature(_names, null);
                    string fieldName = _md.GetString(field.Name);
                    if (fieldName.StartsWith("<", StringComparison.Ordinal) && !fieldName.Contains(">k__BackingField")) continue;   // closures, lambda caches: their uses are reported
                    CheckSig(sig, () => FieldLocation(typeHandle, fieldName), "field " + typeName + "." + fieldName);
                }
                foreach (var mh in type.GetMethods())
                    ScanMethod(typeHandle, typeName, mh);
            }
        }

        void ScanMethod(TypeDefinitionHandle typeHandle, string typeName, MethodDefinitionHandle mh)
        {
            var method = _md.GetMethodDefinition(mh);
            string name = _md.GetString(method.Name);
            Func<(string, int)> where = () => MethodLocation(typeHandle, mh);
            if (method.GetGenericParameters().Count > 0 && !name.StartsWith("<", StringComparison.Ordinal))
                Report(where(), FindingKind.Generic, "generic method definition " + typeName + "." + name + GenericParams(method.GetGenericParameters()) + ": " + NoGenerics);
            else if (method.GetGenericParameters().Count > 0)
                Report(where(), FindingKind.Generic, "generic compiler-generated method " + typeName + "." + name + ": " + NoGenerics);

            var sig = method.DecodeSignature(_names, null);
            foreach (var t in sig.ParameterTypes.Prepend(sig.ReturnType))
                CheckSig(t, where, "signature of " + typeName + "." + name);

            if (method.RelativeVirtualAddress == 0) return;
            var body = _pe.GetMethodBody(method.RelativeVirtualAddress);
            var points = SequencePoints(mh);
            bool bodyFinding = false;
            var seen = new HashSet<string>(StringComparer.Ordinal);

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                int offset = il.Offset;
                ushort value = il.ReadByte();
                if (value == 0xFE) value = (ushort)(0xFE00 | il.ReadByte());
                if (!OpCodesByValue.TryGetValue(value, out var op))
                    throw new BadImageFormatException("unknown IL opcode 0x" + value.ToString("X") + " in " + typeName + "." + name + " at IL_" + offset.ToString("X4"));
                Func<(string, int)> at = () => InstructionLocation(points, offset, where);

                if (UnsupportedOpcodes.TryGetValue(op.Name, out string message))
                {
                    Report(at(), FindingKind.Opcode, message);
                    bodyFinding = true;
                }
                switch (op.OperandType)
                {
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar: il.ReadByte(); break;
                    case OperandType.InlineVar: il.ReadInt16(); break;
                    case OperandType.InlineBrTarget:
                    case OperandType.InlineI:
                    case OperandType.ShortInlineR: il.ReadInt32(); break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR: il.ReadInt64(); break;
                    case OperandType.InlineString: il.ReadInt32(); break;
                    case OperandType.InlineSwitch:
                    {
                        int n = il.ReadInt32();
                        for (int i = 0; i < n; i++) il.ReadInt32();
                        break;
                    }
                    case OperandType.InlineSig: il.ReadInt32(); break;
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                        bodyFinding |= CheckToken(MetadataTokens.EntityHandle(il.ReadInt32()), at, seen);
                        break;
                    default:
                        throw new BadImageFormatException("unexpected operand type " + op.OperandType + " of " + op.Name);
                }
            }

            // Locals whose types never appear in an instruction token (rare) are still flagged, at the method.
            if (!bodyFinding && !body.LocalSignature.IsNil)
            {
                var locals = _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_names, null);
                foreach (var t in locals) CheckSig(t, where, "local of " + typeName + "." + name);
            }
        }

        /// <summary>Checks one IL token operand; returns whether it produced a finding.</summary>
        bool CheckToken(EntityHandle token, Func<(string, int)> at, HashSet<string> seen)
        {
            switch (token.Kind)
            {
                case HandleKind.MethodSpecification:
                {
                    var spec = _md.GetMethodSpecification((MethodSpecificationHandle)token);
                    var args = spec.DecodeSignature(_names, null);
                    string method = MemberName(spec.Method);
                    if (!seen.Add("m:" + method + "<" + string.Join(", ", args.Select(a => a.Name)) + ">")) return true;
                    Report(at(), FindingKind.Generic, "generic method instantiation " + method + "<" + string.Join(", ", args.Select(a => a.Name)) + ">: " + NoGenerics);
                    return true;
                }
                case HandleKind.MemberReference:
                {
                    var member = _md.GetMemberReference((MemberReferenceHandle)token);
                    bool found = false;
                    if (member.Parent.Kind == HandleKind.TypeSpecification)
                        found |= CheckSig(DecodeTypeSpec((TypeSpecificationHandle)member.Parent), at, null, seen);
                    if (member.Parent.Kind == HandleKind.TypeReference && member.GetKind() == MemberReferenceKind.Method)
                        found |= CheckMath(member, at);
                    return found;
                }
                case HandleKind.TypeSpecification:
                    return CheckSig(DecodeTypeSpec((TypeSpecificationHandle)token), at, null, seen);
                default:
                    return false;
            }
        }

        bool CheckMath(MemberReference member, Func<(string, int)> at)
        {
            string type = SignatureNames.TypeRefName(_md, (TypeReferenceHandle)member.Parent);
            if (type != "System.Math" && type != "System.MathF") return false;
            string name = _md.GetString(member.Name);
            var sig = member.DecodeMethodSignature(_names, null);
            string display = type + "." + name + "(" + string.Join(", ", sig.ParameterTypes.Select(p => p.Name)) + ")";
            bool inNano = type == "System.Math" && _api.Find(NanoApi.MathListing, "System.Math", name)
                .Any(e => ParameterTypes(e.Signature).SequenceEqual(sig.ParameterTypes.Select(p => p.Name)));
            if (inNano && (ExactMath.Contains(name) || _allowNanoMath)) return false;
            bool floating = sig.ParameterTypes.Any(p => p.Name == "float" || p.Name == "double") || sig.ReturnType.Name == "float" || sig.ReturnType.Name == "double";
            string label = floating ? "float math " : "";
            bool haveMathListing = _api.Listings.Any(l => l.Name == NanoApi.MathListing);
            if (inNano)
                Report(at(), FindingKind.FloatMath, label + display + ": not in nanoFramework 1.17 mscorlib; only the nanoFramework.System.Math package has it, as a native method computed at the firmware's floating-point precision (single or double: SystemInfo.FloatingPointSupport), and the device core must stay integer-only (--allow-nf-math accepts it)");
            else
                Report(at(), FindingKind.FloatMath, label + display + " is not in nanoFramework 1.17 (mscorlib has no System.Math; "
                    + (haveMathListing ? "nanoFramework.System.Math has no such overload)" : "nanoFramework.System.Math is not among the listings checked)"), restatesMissingApi: true);
            return true;
        }

        /// <summary>"Clamp(double value, double min, double max)" → ["double", "double", "double"].</summary>
        internal static IEnumerable<string> ParameterTypes(string signature)
        {
            int open = signature.IndexOf('(');
            int close = signature.LastIndexOf(')');
            if (open < 0 || close <= open + 1) return Array.Empty<string>();
            var result = new List<string>();
            int depth = 0, start = open + 1;
            for (int i = open + 1; i <= close; i++)
            {
                char c = signature[i];
                if (c == '<' || c == '(' || c == '[') depth++;
                else if ((c == '>' || c == ']') || (c == ')' && i < close)) depth--;
                if ((c == ',' && depth == 0) || i == close)
                {
                    string p = signature.Substring(start, i - start).Trim();
                    int eq = p.IndexOf(" = ", StringComparison.Ordinal);
                    if (eq >= 0) p = p.Substring(0, eq);
                    var words = p.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
                    words.RemoveAt(words.Count - 1);   // the parameter name
                    words.RemoveAll(w => w == "params" || w == "this" || w == "in" || w == "readonly");
                    string t = string.Join(" ", words);
                    result.Add(t);
                    start = i + 1;
                }
            }
            return result;
        }

        bool CheckTypeHandle(EntityHandle handle, Func<(string, int)> at, string context)
        {
            if (handle.IsNil || handle.Kind != HandleKind.TypeSpecification) return false;
            return CheckSig(DecodeTypeSpec((TypeSpecificationHandle)handle), at, context);
        }

        /// <summary>Reports a generic instantiation or multidimensional array inside <paramref name="t"/>.
        /// With <paramref name="seen"/> (one set per method body), each type is reported once per method,
        /// at its first use.</summary>
        bool CheckSig(SigType t, Func<(string, int)> at, string context, HashSet<string> seen = null)
        {
            bool found = false;
            string where = context == null ? "" : " (" + context + ")";
            if (t.Generic != null)
            {
                if ((seen == null || seen.Add("g:" + t.Generic)) && FirstOnLine(at(), t.Generic))
                    Report(at(), FindingKind.Generic, "generic type instantiation " + t.Generic + where + ": " + NoGenerics);
                found = true;
            }
            if (t.MdArray != null)
            {
                if ((seen == null || seen.Add("a:" + t.MdArray)) && FirstOnLine(at(), t.MdArray))
                    Report(at(), FindingKind.MultiDimArray, "multidimensional array " + t.MdArray + where + ": nanoFramework supports only single-dimension arrays (use jagged arrays or one array with offsets)");
                found = true;
            }
            return found;
        }

        /// <summary>One finding per type per source line (a property's field, getter and setter share one).</summary>
        bool FirstOnLine((string File, int Line) where, string type) => _typeLines.Add(where.File + ":" + where.Line + ":" + type);

        readonly HashSet<string> _typeLines = new HashSet<string>(StringComparer.Ordinal);

        SigType DecodeTypeSpec(TypeSpecificationHandle h) => _md.GetTypeSpecification(h).DecodeSignature(_names, null);

        string MemberName(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.MethodDefinition:
                {
                    var m = _md.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return SignatureNames.TypeDefName(_md, m.GetDeclaringType()) + "." + _md.GetString(m.Name);
                }
                case HandleKind.MemberReference:
                {
                    var m = _md.GetMemberReference((MemberReferenceHandle)handle);
                    string parent;
                    switch (m.Parent.Kind)
                    {
                        case HandleKind.TypeReference: parent = SignatureNames.TypeRefName(_md, (TypeReferenceHandle)m.Parent); break;
                        case HandleKind.TypeDefinition: parent = SignatureNames.TypeDefName(_md, (TypeDefinitionHandle)m.Parent); break;
                        case HandleKind.TypeSpecification: parent = DecodeTypeSpec((TypeSpecificationHandle)m.Parent).Name; break;
                        default: parent = "?"; break;
                    }
                    return parent + "." + _md.GetString(m.Name);
                }
                default:
                    return handle.Kind.ToString();
            }
        }

        string GenericParams(GenericParameterHandleCollection ps) =>
            "<" + string.Join(", ", ps.Select(p => _md.GetString(_md.GetGenericParameter(p).Name))) + ">";

        void Report((string File, int Line) where, FindingKind kind, string message, bool restatesMissingApi = false) =>
            _findings.Add(new Finding(where.File, where.Line, kind, message) { RestatesMissingApi = restatesMissingApi });

        // ---- locations ----------------------------------------------------------------------

        List<(int Offset, string File, int Line)> SequencePoints(MethodDefinitionHandle mh)
        {
            var list = new List<(int, string, int)>();
            var info = _pdb.GetMethodDebugInformation(MetadataTokens.MethodDebugInformationHandle(MetadataTokens.GetRowNumber(mh)));
            if (info.SequencePointsBlob.IsNil) return list;
            foreach (var sp in info.GetSequencePoints())
            {
                if (sp.IsHidden) continue;
                string doc = _pdb.GetString(_pdb.GetDocument(sp.Document).Name);
                list.Add((sp.Offset, doc, sp.StartLine));
            }
            return list;
        }

        static (string, int) InstructionLocation(List<(int Offset, string File, int Line)> points, int offset, Func<(string, int)> method)
        {
            (string, int)? best = null;
            foreach (var p in points)
            {
                if (p.Offset > offset) break;
                best = (p.File, p.Line);
            }
            if (best == null && points.Count > 0) best = (points[0].File, points[0].Line);
            return best ?? method();
        }

        /// <summary>A method's declaration line: from its first sequence point, widened to the enclosing
        /// declaration's name; for methods without a body, from the Roslyn symbol.</summary>
        (string, int) MethodLocation(TypeDefinitionHandle typeHandle, MethodDefinitionHandle mh)
        {
            var points = SequencePoints(mh);
            if (points.Count > 0 && _trees.TryGetValue(points[0].File, out var tree))
            {
                var text = tree.GetText();
                int lineIndex = Math.Min(points[0].Line - 1, text.Lines.Count - 1);
                var token = tree.GetRoot().FindToken(text.Lines[lineIndex].Start + (text.Lines[lineIndex].End > text.Lines[lineIndex].Start ? FirstNonSpace(text.Lines[lineIndex].ToString()) : 0));
                foreach (var node in token.Parent.AncestorsAndSelf())
                {
                    SyntaxToken? id = null;
                    switch (node)
                    {
                        case MethodDeclarationSyntax m: id = m.Identifier; break;
                        case LocalFunctionStatementSyntax l: id = l.Identifier; break;
                        case ConstructorDeclarationSyntax c: id = c.Identifier; break;
                        case PropertyDeclarationSyntax p: id = p.Identifier; break;
                        case OperatorDeclarationSyntax o: id = o.OperatorToken; break;
                    }
                    if (id != null) return (points[0].File, id.Value.GetLocation().GetLineSpan().StartLinePosition.Line + 1);
                }
                return (points[0].File, points[0].Line);
            }
            var type = TypeSymbol(typeHandle);
            string name = _md.GetString(_md.GetMethodDefinition(mh).Name);
            var symbol = type?.GetMembers(name).FirstOrDefault(s => s.Locations.Any(l => l.IsInSource));
            return symbol != null ? Where(symbol.Locations.First(l => l.IsInSource)) : TypeLocation(typeHandle);
        }

        static int FirstNonSpace(string s)
        {
            int i = 0;
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            return i < s.Length ? i : 0;
        }

        (string, int) FieldLocation(TypeDefinitionHandle typeHandle, string fieldName)
        {
            var type = TypeSymbol(typeHandle);
            if (fieldName.StartsWith("<", StringComparison.Ordinal) && fieldName.Contains(">k__BackingField"))
                fieldName = fieldName.Substring(1, fieldName.IndexOf('>') - 1);
            var symbol = type?.GetMembers(fieldName).FirstOrDefault(s => s.Locations.Any(l => l.IsInSource));
            return symbol != null ? Where(symbol.Locations.First(l => l.IsInSource)) : TypeLocation(typeHandle);
        }

        (string, int) TypeLocation(TypeDefinitionHandle typeHandle)
        {
            var symbol = TypeSymbol(typeHandle);
            var location = symbol?.Locations.FirstOrDefault(l => l.IsInSource);
            if (location != null) return Where(location);
            // Compiler-generated type: use the first method that has source lines, else the enclosing type.
            var type = _md.GetTypeDefinition(typeHandle);
            foreach (var mh in type.GetMethods())
            {
                var points = SequencePoints(mh);
                if (points.Count > 0) return (points[0].File, points[0].Line);
            }
            var declaring = type.GetDeclaringType();
            if (!declaring.IsNil) return TypeLocation(declaring);
            var first = _compilation.SyntaxTrees.First();
            return (first.FilePath, 1);
        }

        INamedTypeSymbol TypeSymbol(TypeDefinitionHandle handle)
        {
            return _compilation.Assembly.GetTypeByMetadataName(MetadataName(handle));
        }

        string MetadataName(TypeDefinitionHandle handle)
        {
            var t = _md.GetTypeDefinition(handle);
            string name = _md.GetString(t.Name);
            var declaring = t.GetDeclaringType();
            if (!declaring.IsNil) return MetadataName(declaring) + "+" + name;
            string ns = _md.GetString(t.Namespace);
            return ns.Length > 0 ? ns + "." + name : name;
        }

        static (string, int) Where(Location location)
        {
            var span = location.GetLineSpan();
            return (span.Path, span.StartLinePosition.Line + 1);
        }
    }
}
