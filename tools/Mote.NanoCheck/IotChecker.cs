using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Mote.NanoCheck
{
    /// <summary>
    /// The stub check for .NET (Raspberry Pi) samples: compiles the sources against the real .NET 8
    /// reference assemblies plus stubs generated from the dotnet/iot listings in ../shared/apis
    /// (System.Device.Gpio and the Iot.Device.* bindings, which this machine cannot restore), so a
    /// misused GpioController, I2cDevice or Mpu6050 member fails here. Only compiler errors are
    /// findings: the Pi runs the full .NET, so there is no IL or API-subset gate as for nanoFramework.
    /// </summary>
    public static class IotChecker
    {
        public const string ListingPrefix = "dotnet-iot.";

        /// <summary>Every dotnet-iot listing in the directory.</summary>
        public static string[] DefaultListings(string apisDir)
        {
            var files = Directory.GetFiles(apisDir, ListingPrefix + "*.txt").OrderBy(f => f, StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new FileNotFoundException("no dotnet-iot listings (" + ListingPrefix + "*.txt) in " + apisDir);
            return files;
        }

        /// <summary>
        /// The .NET 8 reference assemblies (Microsoft.NETCore.App.Ref 8.x from the NuGet cache, restored by any
        /// net8.0 project of this repository, e.g. src/Mote.Runtime); else the running runtime's assemblies,
        /// named in <paramref name="description"/>.
        /// </summary>
        public static List<MetadataReference> DotNetReferences(out string description)
        {
            string nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            if (string.IsNullOrEmpty(nuget))
                nuget = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string refPack = Path.Combine(nuget, "microsoft.netcore.app.ref");
            if (Directory.Exists(refPack))
            {
                var dir = Directory.GetDirectories(refPack, "8.*")
                    .Select(d => Path.Combine(d, "ref", "net8.0"))
                    .Where(Directory.Exists)
                    .OrderByDescending(d => d, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (dir != null)
                {
                    description = ".NET 8 reference assemblies (" + Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(dir))) + ")";
                    return Directory.GetFiles(dir, "*.dll").Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToList();
                }
            }
            description = "the running .NET " + Environment.Version + " (no .NET 8 reference pack in the NuGet cache)";
            string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
            return tpa.Split(Path.PathSeparator).Where(f => f.Length > 0 && Path.GetFileName(f).StartsWith("System", StringComparison.Ordinal)
                    || Path.GetFileName(f) == "netstandard.dll" || Path.GetFileName(f) == "mscorlib.dll")
                .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToList();
        }

        /// <summary>Namespaces of packages the bindings depend on that are neither .NET nor listed
        /// (logging abstractions, UnitsNet quantities): entries using them are left out of the stubs, and
        /// so are the members of types that derive from them. A sample calling one fails to compile here.</summary>
        static readonly string[] ForeignNamespaces = { "Microsoft.Extensions.", "UnitsNet." };

        static bool UsesForeign(ApiEntry e) =>
            ForeignNamespaces.Any(ns => (e.Signature + "\t" + e.Info).Contains(ns, StringComparison.Ordinal));

        static void WithoutForeignTypes(ApiListing listing)
        {
            var foreignTypes = new HashSet<string>(listing.Entries.Where(e => e.IsTypeRow && UsesForeign(e)).Select(e => e.Type), StringComparer.Ordinal);
            // The I2C simulation base (Iot.Device.Common listing): its generic nested Register<T> implements an
            // interface of its base explicitly, which the stub generator cannot reproduce; samples do not use it.
            foreignTypes.Add("System.Device.I2c.I2cSimulatedDeviceBase");
            listing.Entries.RemoveAll(e => UsesForeign(e) || foreignTypes.Any(t => e.Type == t || e.Type.StartsWith(t + ".", StringComparison.Ordinal)));
        }

        static readonly object CacheLock = new object();
        static readonly Dictionary<string, (NanoApi api, List<MetadataReference> refs, string description)> Cache =
            new Dictionary<string, (NanoApi, List<MetadataReference>, string)>();

        public static CheckResult Check(IReadOnlyList<string> paths, IReadOnlyList<string> listingPaths, out string against)
        {
            string key = string.Join("|", listingPaths.Select(p => Path.GetFullPath(p) + "@" + File.GetLastWriteTimeUtc(p).Ticks));
            (NanoApi api, List<MetadataReference> refs, string description) env;
            lock (CacheLock)
            {
                if (!Cache.TryGetValue(key, out env))
                {
                    var refs = DotNetReferences(out string desc);
                    var listings = listingPaths.Select(ApiListing.Load).ToList();
                    foreach (var l in listings) WithoutForeignTypes(l);
                    var api = NanoApi.Build(listings, "Iot.Device.Stubs", refs);
                    env = (api, refs, desc);
                    Cache[key] = env;
                }
            }
            against = "dotnet/iot listings (" + listingPaths.Count + ") + " + env.description + ", C# 12";

            var files = NanoChecker.CollectSources(paths);
            var result = new CheckResult { Files = files, IlScanned = "" };
            if (files.Count == 0) return result;
            var parse = new CSharpParseOptions(LanguageVersion.CSharp12, DocumentationMode.None);
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(f), Encoding.UTF8), parse, path: f)).ToList();
            var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Disable, allowUnsafe: false);
            var compilation = CSharpCompilation.Create("Mote.NanoCheck.IotSample", trees,
                env.refs.Concat(new[] { env.api.Reference }), options);
            var findings = new SortedSet<(string, int, string)>();
            foreach (var d in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.IsInSource))
            {
                var span = d.Location.GetLineSpan();
                findings.Add((span.Path, span.StartLinePosition.Line + 1,
                    "does not compile against dotnet/iot + .NET 8: " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture) + " [" + d.Id + "]"));
            }
            result.Findings = findings.Select(f => new Finding(f.Item1, f.Item2, FindingKind.Compile, f.Item3)).ToList();
            return result;
        }
    }
}
