using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Mote.NanoCheck
{
    /// <summary>
    /// The nanoFramework API as a compiled reference: the listings' stubs, compiled with Roslyn into one
    /// in-memory assembly named mscorlib that defines System.Object itself (so no .NET reference
    /// assembly is involved). The device libraries (System.Math, System.Device.*, ...) go into the same
    /// assembly: which package holds a type does not matter for binding, only whether it exists.
    /// </summary>
    public sealed class NanoApi
    {
        public const string MscorlibListing = "nanoFramework.CoreLibrary.mscorlib.v1.17.txt";
        public const string MathListing = "nanoFramework.System.Math.txt";

        public IReadOnlyList<ApiListing> Listings { get; private set; }
        public MetadataReference Reference { get; private set; }
        public ImmutableArray<byte> Image { get; private set; }
        /// <summary>Listing entries that could not be reproduced, and other remarks (--verbose).</summary>
        public IReadOnlyList<string> Notes { get; private set; }
        /// <summary>"nanoFramework 1.17 mscorlib + 11 libraries".</summary>
        public string Description { get; private set; }
        /// <summary>The generated stub source as compiled (--dump-stubs).</summary>
        public string StubSource { get; private set; }

        /// <summary>The default listings: mscorlib v1.17 and every nanoFramework library listing
        /// (not the v2.0 generics preview, not the dotnet-iot ones, which describe desktop .NET APIs).</summary>
        public static string[] DefaultListings(string apisDir)
        {
            string mscorlib = Path.Combine(apisDir, MscorlibListing);
            if (!File.Exists(mscorlib))
                throw new FileNotFoundException("nanoFramework 1.17 mscorlib listing not found: " + mscorlib);
            var libs = Directory.GetFiles(apisDir, "nanoFramework.*.txt")
                .Where(f => !Path.GetFileName(f).StartsWith("nanoFramework.CoreLibrary.", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal);
            return new[] { mscorlib }.Concat(libs).ToArray();
        }

        static readonly object CacheLock = new object();
        static readonly Dictionary<string, NanoApi> Cache = new Dictionary<string, NanoApi>();

        /// <summary>Builds (or returns the process-wide cached) reference for these listing files.</summary>
        public static NanoApi Load(IReadOnlyList<string> listingPaths)
        {
            string key = string.Join("|", listingPaths.Select(p => Path.GetFullPath(p) + "@" + File.GetLastWriteTimeUtc(p).Ticks));
            lock (CacheLock)
            {
                if (!Cache.TryGetValue(key, out var api))
                {
                    api = Build(listingPaths.Select(ApiListing.Load).ToList());
                    Cache[key] = api;
                }
                return api;
            }
        }

        public static NanoApi Build(IReadOnlyList<ApiListing> listings) => Build(listings, "mscorlib", Array.Empty<MetadataReference>());

        /// <summary>
        /// Stubs of <paramref name="listings"/> compiled into an assembly named <paramref name="assemblyName"/>
        /// over <paramref name="references"/>: none for nanoFramework (the stubs are mscorlib); the real .NET
        /// reference assemblies for listings of desktop .NET libraries (dotnet/iot, <see cref="IotChecker"/>).
        /// Listing entries whose types exist in neither (e.g. UnitsNet in dotnet/iot) are dropped (Notes).
        /// </summary>
        public static NanoApi Build(IReadOnlyList<ApiListing> listings, string assemblyName, IReadOnlyList<MetadataReference> references)
        {
            var generator = new StubGenerator(listings);
            var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.None);
            var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Disable,
                optimizationLevel: OptimizationLevel.Release, deterministic: true);

            // Compile; fill in interface members the real types implement explicitly (the listings only
            // show public members); drop entries that still do not compile, naming them in Notes.
            for (int round = 0; ; round++)
            {
                string source = generator.Generate(out var lineToEntry);
                var tree = CSharpSyntaxTree.ParseText(source, parse, path: "nanoframework-stubs.cs");
                var compilation = CSharpCompilation.Create(assemblyName, new[] { tree }, references, options);
                var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count == 0)
                {
                    var pe = new MemoryStream();
                    var result = compilation.Emit(pe);
                    if (!result.Success)
                        throw new InvalidOperationException("nanoFramework stubs failed to emit: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
                    var image = ImmutableArray.Create(pe.ToArray());
                    int libs = listings.Count(l => l.Name != MscorlibListing);
                    return new NanoApi
                    {
                        Listings = listings,
                        Image = image,
                        Reference = MetadataReference.CreateFromImage(image, filePath: assemblyName + ".dll"),
                        Notes = generator.Notes.ToList(),
                        StubSource = source,
                        Description = (listings.Any(l => l.Name == MscorlibListing) ? "nanoFramework 1.17 mscorlib" : "nanoFramework listings")
                            + (libs > 0 ? " + " + libs + " librar" + (libs == 1 ? "y" : "ies") : ""),
                    };
                }
                if (round >= 6)
                    throw new InvalidOperationException("nanoFramework stubs do not compile: " + string.Join("; ", errors.Take(5)));

                bool changed = AddMissingInterfaceMembers(generator, compilation, errors);
                if (!changed)
                {
                    foreach (var e in errors)
                    {
                        int line = e.Location.GetLineSpan().StartLinePosition.Line + 1;
                        if (lineToEntry.TryGetValue(line, out var entry)) { generator.Drop(entry, e.Id + " " + e.GetMessage()); changed = true; }
                    }
                }
                if (!changed)
                    throw new InvalidOperationException("nanoFramework stubs do not compile (unmapped errors): " + string.Join("; ", errors.Take(5)));
            }
        }

        static bool AddMissingInterfaceMembers(StubGenerator generator, CSharpCompilation compilation, List<Diagnostic> errors)
        {
            var codes = new HashSet<string> { "CS0535", "CS0738", "CS0737", "CS0736" };
            if (!errors.Any(e => codes.Contains(e.Id))) return false;
            bool changed = false;
            foreach (var type in AllTypes(compilation.Assembly.GlobalNamespace))
            {
                if (type.TypeKind == TypeKind.Interface) continue;
                var added = new List<string>();
                foreach (var iface in type.AllInterfaces)
                    foreach (var member in iface.GetMembers())
                    {
                        if (member is IMethodSymbol ms && ms.MethodKind != MethodKind.Ordinary) continue;
                        var impl = type.FindImplementationForInterfaceMember(member);
                        if (impl != null && impl.DeclaredAccessibility == Accessibility.Public && SameReturn(member, impl)) continue;
                        added.Add(ExplicitImplementation(iface, member));
                    }
                if (added.Count > 0)
                {
                    string listingName = type.ToDisplayString(ListingFormat);
                    changed |= generator.AddExplicitImplementations(listingName, added.Distinct());
                }
            }
            return changed;
        }

        static bool SameReturn(ISymbol member, ISymbol impl)
        {
            if (member is IMethodSymbol m && impl is IMethodSymbol i) return SymbolEqualityComparer.Default.Equals(m.ReturnType, i.ReturnType);
            if (member is IPropertySymbol p && impl is IPropertySymbol q) return SymbolEqualityComparer.Default.Equals(p.Type, q.Type);
            return true;
        }

        static readonly SymbolDisplayFormat ListingFormat = new SymbolDisplayFormat(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        static string ExplicitImplementation(INamedTypeSymbol iface, ISymbol member)
        {
            var fq = SymbolDisplayFormat.FullyQualifiedFormat;
            string owner = iface.ToDisplayString(fq);
            string Params(IEnumerable<IParameterSymbol> ps) => string.Join(", ", ps.Select(p =>
                (p.RefKind == RefKind.Out ? "out " : p.RefKind == RefKind.Ref ? "ref " : p.RefKind == RefKind.In ? "in " : "")
                + p.Type.ToDisplayString(fq) + " " + p.Name));
            switch (member)
            {
                case IMethodSymbol m:
                    return (m.ReturnsVoid ? "void" : m.ReturnType.ToDisplayString(fq)) + " " + owner + "." + m.Name + "(" + Params(m.Parameters) + ") { throw null; }";
                case IPropertySymbol p:
                    string accessors = (p.GetMethod != null ? "get { throw null; } " : "") + (p.SetMethod != null ? "set { throw null; } " : "");
                    string head = p.IsIndexer ? owner + ".this[" + Params(p.Parameters) + "]" : owner + "." + p.Name;
                    return p.Type.ToDisplayString(fq) + " " + head + " { " + accessors + "}";
                case IEventSymbol e:
                    return "event " + e.Type.ToDisplayString(fq) + " " + owner + "." + e.Name + " { add { } remove { } }";
                default:
                    return "";
            }
        }

        internal static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
        {
            foreach (var t in ns.GetTypeMembers())
                foreach (var x in WithNested(t)) yield return x;
            foreach (var sub in ns.GetNamespaceMembers())
                foreach (var x in AllTypes(sub)) yield return x;
        }

        static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol t)
        {
            yield return t;
            foreach (var n in t.GetTypeMembers())
                foreach (var x in WithNested(n)) yield return x;
        }

        /// <summary>Entries of one listing for a type and member name, e.g. ("System.Math", "Exp").</summary>
        public IEnumerable<ApiEntry> Find(string listing, string type, string member) =>
            Listings.Where(l => l.Name == listing).SelectMany(l => l.Entries)
                .Where(e => e.Type == type && !e.IsTypeRow && e.MemberName == member);
    }
}
