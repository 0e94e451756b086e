using System;
using System.Collections.Generic;
using System.IO;

namespace Mote.NanoCheck
{
    /// <summary>
    /// One line of a public-API listing in ../shared/apis (see its README.md):
    /// <c>TYPE \t KIND \t MODIFIERS \t SIGNATURE \t RETURN/TYPE-INFO</c>, tab-separated,
    /// fully qualified type names, C# keywords for the built-in types.
    /// </summary>
    public sealed class ApiEntry
    {
        public string Type;       // declaring type, e.g. "System.Array", "int", "System.Action<T>"
        public string Kind;       // class, struct, ..., nested-enum, ctor, method, property, ...
        public string Modifiers;  // "public static extern", ...
        public string Signature;  // "Copy(System.Array sourceArray, ...)" or the type's own name for type rows
        public string Info;       // return type, ": base, interfaces", "double = 2.71", "= 4", "void (T arg)"
        public string File;       // listing file name, for messages
        public int Line;          // 1-based line in that file

        public bool IsTypeRow =>
            Kind == "class" || Kind == "struct" || Kind == "interface" || Kind == "enum" || Kind == "delegate"
            || Kind.StartsWith("nested-", StringComparison.Ordinal);

        /// <summary>The type kind without a "nested-" prefix.</summary>
        public string TypeKind => Kind.StartsWith("nested-", StringComparison.Ordinal) ? Kind.Substring(7) : Kind;

        public bool Has(string modifier) => (" " + Modifiers + " ").Contains(" " + modifier + " ", StringComparison.Ordinal);

        /// <summary>Member name: the signature up to its parameter list or property braces.</summary>
        public string MemberName
        {
            get
            {
                string s = Signature;
                int cut = s.Length;
                foreach (char c in "({[<")
                {
                    int i = s.IndexOf(c);
                    if (i >= 0 && i < cut) cut = i;
                }
                return s.Substring(0, cut).Trim();
            }
        }

        public override string ToString() => File + ":" + Line + ": " + Type + " " + Kind + " " + Signature;
    }

    /// <summary>A parsed listing file (one assembly's public API).</summary>
    public sealed class ApiListing
    {
        public string Path;
        public string Name;               // file name, e.g. nanoFramework.System.Math.txt
        public readonly List<ApiEntry> Entries = new List<ApiEntry>();

        public static ApiListing Load(string path)
        {
            var listing = new ApiListing { Path = path, Name = System.IO.Path.GetFileName(path) };
            int lineNo = 0;
            foreach (string raw in File.ReadLines(path))
            {
                lineNo++;
                if (raw.Length == 0 || raw[0] == '#') continue;
                string[] cols = raw.Split('\t');
                if (cols.Length < 4)
                    throw new FormatException(path + ":" + lineNo + ": expected at least 4 tab-separated columns, found " + cols.Length);
                listing.Entries.Add(new ApiEntry
                {
                    Type = cols[0],
                    Kind = cols[1],
                    Modifiers = cols[2],
                    Signature = cols[3],
                    Info = cols.Length > 4 ? cols[4] : "",
                    File = listing.Name,
                    Line = lineNo,
                });
            }
            return listing;
        }
    }
}
