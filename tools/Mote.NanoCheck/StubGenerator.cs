using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Mote.NanoCheck
{
    /// <summary>
    /// Synthesizes C# source for every type and member of a set of API listings: signatures exactly as
    /// listed, bodies <c>throw null</c>. Compiled on its own (no references), the result is an
    /// mscorlib-like reference assembly that holds nanoFramework's API and nothing else, so code that
    /// uses anything outside it fails to bind.
    ///
    /// What the listings cannot say is filled in minimally and invisibly to user code:
    /// an <c>internal</c> parameterless constructor on classes that list none (so derived stubs compile
    /// and no public default constructor appears), a private field in non-primitive structs (definite
    /// assignment as with the real struct), and explicit implementations of interface members that the
    /// real type implements non-publicly (see <see cref="AddExplicitImplementations"/>).
    /// </summary>
    public sealed class StubGenerator
    {
        static readonly Dictionary<string, string> Keywords = new Dictionary<string, string>
        {
            ["bool"] = "Boolean", ["byte"] = "Byte", ["sbyte"] = "SByte", ["char"] = "Char",
            ["short"] = "Int16", ["ushort"] = "UInt16", ["int"] = "Int32", ["uint"] = "UInt32",
            ["long"] = "Int64", ["ulong"] = "UInt64", ["float"] = "Single", ["double"] = "Double",
            ["decimal"] = "Decimal", ["object"] = "Object", ["string"] = "String", ["void"] = "Void",
            ["nint"] = "IntPtr", ["nuint"] = "UIntPtr",
        };

        static readonly Dictionary<string, string> OperatorTokens = new Dictionary<string, string>
        {
            ["op_Equality"] = "==", ["op_Inequality"] = "!=", ["op_GreaterThan"] = ">", ["op_LessThan"] = "<",
            ["op_GreaterThanOrEqual"] = ">=", ["op_LessThanOrEqual"] = "<=", ["op_Addition"] = "+",
            ["op_Subtraction"] = "-", ["op_Multiply"] = "*", ["op_Division"] = "/", ["op_Modulus"] = "%",
            ["op_BitwiseAnd"] = "&", ["op_BitwiseOr"] = "|", ["op_ExclusiveOr"] = "^", ["op_LeftShift"] = "<<",
            ["op_RightShift"] = ">>", ["op_UnaryNegation"] = "-", ["op_UnaryPlus"] = "+", ["op_LogicalNot"] = "!",
            ["op_OnesComplement"] = "~", ["op_Increment"] = "++", ["op_Decrement"] = "--", ["op_True"] = "true",
            ["op_False"] = "false",
        };

        sealed class TypeStub
        {
            public string ListingName;          // as in the listing: "System.Action<T>", "int", "A.B.Outer.Inner"
            public ApiEntry Decl;
            public string Namespace;            // top-level types only
            public string DeclName;             // "Action<T>", "Int32", "Inner"
            public TypeStub Parent;
            public readonly List<ApiEntry> Members = new List<ApiEntry>();
            public readonly List<TypeStub> Nested = new List<TypeStub>();
            public readonly List<string> Extra = new List<string>();   // explicit interface implementations
        }

        readonly Dictionary<string, TypeStub> _types = new Dictionary<string, TypeStub>(StringComparer.Ordinal);
        readonly HashSet<string> _roots = new HashSet<string>(StringComparer.Ordinal);
        readonly HashSet<ApiEntry> _dropped = new HashSet<ApiEntry>();
        readonly List<string> _notes = new List<string>();
        Regex _qualified;

        /// <summary>Remarks about entries that could not be reproduced (shown by --verbose).</summary>
        public IReadOnlyList<string> Notes => _notes;

        public StubGenerator(IEnumerable<ApiListing> listings)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var all = new List<ApiEntry>();
            foreach (var listing in listings)
                foreach (var e in listing.Entries)
                    if (seen.Add(e.Type + "\t" + e.Kind + "\t" + e.Modifiers + "\t" + e.Signature + "\t" + e.Info))
                        all.Add(e);

            foreach (var e in all.Where(e => e.IsTypeRow))
            {
                if (_types.ContainsKey(e.Type)) { _notes.Add(e + ": type declared twice; the first declaration is kept"); continue; }
                _types[e.Type] = new TypeStub { ListingName = e.Type, Decl = e };
            }
            foreach (var t in _types.Values)
            {
                var segments = SplitDotted(t.ListingName);
                if (t.Decl.Kind.StartsWith("nested-", StringComparison.Ordinal))
                {
                    string parentName = string.Join(".", segments.Take(segments.Count - 1));
                    if (!_types.TryGetValue(parentName, out t.Parent))
                        throw new FormatException(t.Decl + ": nested type without a declaration of " + parentName);
                    t.Parent.Nested.Add(t);
                    t.DeclName = segments[segments.Count - 1];
                }
                else if (Keywords.TryGetValue(t.ListingName, out string clr))
                {
                    t.Namespace = "System";
                    t.DeclName = clr;
                }
                else
                {
                    t.Namespace = string.Join(".", segments.Take(segments.Count - 1));
                    t.DeclName = segments[segments.Count - 1];
                }
                if (t.Namespace != null && t.Namespace.Length > 0) _roots.Add(SplitDotted(t.Namespace)[0]);
            }
            foreach (var e in all.Where(e => !e.IsTypeRow))
            {
                if (_types.TryGetValue(e.Type, out var t)) t.Members.Add(e);
                else _notes.Add(e + ": member of an undeclared type; skipped");
            }
            _qualified = new Regex(@"(?<![\w.:])(?:" + string.Join("|", _roots.Select(Regex.Escape)) + @")(?:\.[A-Za-z_]\w*)+", RegexOptions.CultureInvariant);
        }

        /// <summary>Drops one member from the generated source (it failed to compile as listed).</summary>
        public void Drop(ApiEntry entry, string reason)
        {
            if (_dropped.Add(entry)) _notes.Add(entry + ": not reproduced in the stubs (" + reason + ")");
        }

        /// <summary>Adds explicit interface implementations to a type, by its metadata-style full name.</summary>
        public bool AddExplicitImplementations(string listingTypeName, IEnumerable<string> members)
        {
            if (!_types.TryGetValue(listingTypeName, out var t)) return false;
            t.Extra.AddRange(members);
            return true;
        }

        /// <summary>The listing name of every declared type (for mapping compiled symbols back).</summary>
        public IEnumerable<string> TypeNames => _types.Keys;

        /// <summary>Generated source, and for each generated line the entry it came from.</summary>
        public string Generate(out Dictionary<int, ApiEntry> lineToEntry)
        {
            var sb = new StringBuilder();
            var map = new Dictionary<int, ApiEntry>();
            int line = 1;
            void Emit(string text, ApiEntry from)
            {
                sb.Append(text).Append('\n');
                if (from != null) map[line] = from;
                line++;
            }

            Emit("// Generated by tools/nanocheck from ../shared/apis listings. Signatures only; every body is 'throw null'.", null);
            Emit("#pragma warning disable", null);
            foreach (var group in _types.Values.Where(t => t.Parent == null).GroupBy(t => t.Namespace).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                bool hasNs = group.Key.Length > 0;
                if (hasNs) Emit("namespace " + group.Key + " {", null);
                foreach (var t in group.OrderBy(t => t.ListingName, StringComparer.Ordinal)) EmitType(t, Emit);
                if (hasNs) Emit("}", null);
            }
            lineToEntry = map;
            return sb.ToString();
        }

        void EmitType(TypeStub t, Action<string, ApiEntry> emit)
        {
            var d = t.Decl;
            string kind = d.TypeKind;
            string mods = StripModifiers(d.Modifiers, "extern");
            if (kind == "delegate")
            {
                SplitDelegate(d.Info, out string ret, out string parameters);
                emit(mods + " delegate " + Q(ret) + " " + t.DeclName + "(" + Q(parameters) + ");", d);
                return;
            }
            string info = Q(d.Info).Trim();
            // Records (only in the dotnet-iot listings) are declared as plain classes/structs: their
            // synthesized members are listed like any other.
            string declKind = kind == "record class" || kind == "record" ? "class" : kind == "record struct" ? "struct" : kind;
            string header = mods + " " + declKind + " " + t.DeclName + (info.Length > 0 ? " " + info : "");
            emit(header + " {", d);

            if (kind == "enum")
            {
                foreach (var m in t.Members.Where(m => m.Kind == "enum-value"))
                    emit("  " + m.Signature + " " + m.Info + ",", m);
                emit("}", null);
                return;
            }

            bool isInterface = kind == "interface";
            bool isStatic = d.Has("static");
            string simpleName = StripGenericArity(t.DeclName);
            if (kind == "struct" && !Keywords.ContainsKey(t.ListingName) && !isInterface)
                emit("  private " + (d.Has("readonly") ? "readonly " : "") + "int _stubField;", null);
            if (kind.Contains("class") && !isStatic && t.ListingName != "object"
                && !t.Members.Any(m => m.Kind == "ctor" && !m.Has("static") && m.Signature.EndsWith("()", StringComparison.Ordinal)))
                emit("  internal " + simpleName + "() { }", null);

            foreach (var m in t.Members)
            {
                if (_dropped.Contains(m)) continue;
                string text = MemberText(m, simpleName, isInterface);
                if (text != null) emit("  " + text, m);
            }
            foreach (var extra in t.Extra) emit("  " + extra, null);
            foreach (var n in t.Nested.OrderBy(n => n.ListingName, StringComparer.Ordinal)) EmitType(n, emit);
            emit("}", null);
        }

        string MemberText(ApiEntry m, string simpleTypeName, bool inInterface)
        {
            bool isAbstract = m.Has("abstract") || inInterface;
            string mods = inInterface ? "" : StripModifiers(m.Modifiers, "extern") + " ";
            string body = isAbstract ? ";" : " { throw null; }";
            switch (m.Kind)
            {
                case "ctor":
                {
                    // Signature begins with the type's simple name: "ArgumentException(string message)".
                    int paren = m.Signature.IndexOf('(');
                    string rest = m.Signature.Substring(paren);
                    return mods + simpleTypeName + EnumDefaults(Q(rest)) + " { throw null; }";
                }
                case "method":
                case "extension-method":
                {
                    string sig = Q(m.Signature);
                    if (m.Kind == "extension-method")
                    {
                        int paren = sig.IndexOf('(');
                        sig = sig.Substring(0, paren + 1) + "this " + sig.Substring(paren + 1);
                    }
                    return mods + Q(m.Info) + " " + EnumDefaults(sig) + body;
                }
                case "operator":
                case "conversion":
                {
                    string name = m.MemberName;
                    int paren = m.Signature.IndexOf('(');
                    string parameters = Q(m.Signature.Substring(paren));
                    if (name == "op_Implicit" || name == "op_Explicit")
                        return mods + (name == "op_Implicit" ? "implicit" : "explicit") + " operator " + Q(m.Info) + parameters + " { throw null; }";
                    if (!OperatorTokens.TryGetValue(name, out string token)) { _notes.Add(m + ": unknown operator; skipped"); return null; }
                    return mods + Q(m.Info) + " operator " + token + parameters + " { throw null; }";
                }
                case "property":
                case "indexer":
                {
                    int brace = m.Signature.IndexOf('{');
                    string head = Q(m.Signature.Substring(0, brace)).TrimEnd();
                    string accessors = m.Signature.Substring(brace);
                    if (!isAbstract) accessors = Regex.Replace(accessors, @"\b(get|set|init);", "$1 { throw null; }");
                    return mods + Q(m.Info) + " " + head + " " + accessors;
                }
                case "field":
                    return mods + Q(m.Info) + " " + m.Signature + ";";
                case "const":
                {
                    int eq = m.Info.IndexOf(" = ", StringComparison.Ordinal);
                    string type = m.Info.Substring(0, eq);
                    string value = ConstLiteral(type, m.Info.Substring(eq + 3));
                    return mods + "const " + Q(type) + " " + m.Signature + " = " + value + ";";
                }
                case "event":
                    return mods + "event " + Q(m.Info) + " " + m.Signature + ";";
                default:
                    _notes.Add(m + ": unknown member kind; skipped");
                    return null;
            }
        }

        static string ConstLiteral(string type, string value)
        {
            bool isFloat = type == "float";
            string suffix = isFloat ? "f" : "";
            switch (value)
            {
                case "NaN": return "0.0" + suffix + " / 0.0" + suffix;
                case "Infinity": return "1.0" + suffix + " / 0.0" + suffix;
                case "-Infinity": return "-1.0" + suffix + " / 0.0" + suffix;
            }
            if (isFloat && value.Length > 0 && (char.IsDigit(value[value.Length - 1]))) return value + "f";
            return value;
        }

        /// <summary>Prefixes every fully qualified type name with global:: so that nested namespaces
        /// (System.IO inside System, ...) cannot capture it.</summary>
        string Q(string text) => string.IsNullOrEmpty(text) ? text : _qualified.Replace(text, "global::$0");

        /// <summary>Listings print enum defaults as numbers ("StopBits stopBits = 1"); C# needs a cast.</summary>
        static string EnumDefaults(string parameters) =>
            Regex.Replace(parameters, @"(global::[\w.]+) (\w+) = (-?\d+)\b", "$1 $2 = ($1)$3");

        static string StripModifiers(string modifiers, params string[] remove) =>
            string.Join(" ", modifiers.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(x => Array.IndexOf(remove, x) < 0));

        static string StripGenericArity(string name)
        {
            int lt = name.IndexOf('<');
            return lt < 0 ? name : name.Substring(0, lt);
        }

        /// <summary>"void (T1 arg1, T2 arg2)" → return type and parameter list.</summary>
        static void SplitDelegate(string info, out string ret, out string parameters)
        {
            int close = info.LastIndexOf(')');
            int depth = 0, open = -1;
            for (int i = close; i >= 0; i--)
            {
                if (info[i] == ')') depth++;
                else if (info[i] == '(' && --depth == 0) { open = i; break; }
            }
            if (close < 0 || open < 0) throw new FormatException("delegate info without a parameter list: " + info);
            ret = info.Substring(0, open).Trim();
            parameters = info.Substring(open + 1, close - open - 1);
        }

        /// <summary>Splits "A.B.C&lt;X.Y&gt;.D" on dots outside angle brackets.</summary>
        internal static List<string> SplitDotted(string name)
        {
            var parts = new List<string>();
            int depth = 0, start = 0;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (c == '<') depth++;
                else if (c == '>') depth--;
                else if (c == '.' && depth == 0) { parts.Add(name.Substring(start, i - start)); start = i + 1; }
            }
            parts.Add(name.Substring(start));
            return parts;
        }

        /// <summary>The CLR name of a listing type name ("int" → "System.Int32").</summary>
        internal static string ClrName(string listingName) =>
            Keywords.TryGetValue(listingName, out string clr) ? "System." + clr : listingName;
    }
}
