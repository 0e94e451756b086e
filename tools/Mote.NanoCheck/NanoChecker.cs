using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Mote.NanoCheck
{
    public sealed class CheckOptions
    {
        /// <summary>Source files and directories (searched recursively for *.cs, skipping bin/ and obj/).</summary>
        public IReadOnlyList<string> Paths = Array.Empty<string>();
        public NanoApi Api;
        /// <summary>Accept the float math nanoFramework.System.Math provides (Exp, Sqrt, ... on double).
        /// Off for the device core, which must stay integer-only.</summary>
        public bool AllowNanoMath;
        /// <summary>Preprocessor symbols for the device build (none by default: targets are chosen by file inclusion).</summary>
        public IReadOnlyList<string> Defines = Array.Empty<string>();
    }

    public sealed class CheckResult
    {
        public IReadOnlyList<string> Files = Array.Empty<string>();
        /// <summary>Sorted by file, line, message; no duplicates.</summary>
        public IReadOnlyList<Finding> Findings = Array.Empty<Finding>();
        /// <summary>Which compilation the IL scan read: the nanoFramework one, a host .NET fallback
        /// (when the sources do not compile against nanoFramework), or none.</summary>
        public string IlScanned = "";
        public List<string> Notes = new List<string>();
    }

    /// <summary>
    /// The gate. Step 1: compile the sources at C# 7.3 against <see cref="NanoApi"/> (nothing else) and
    /// turn every compiler error into a finding. Step 2: emit that compilation with a portable PDB and
    /// scan its IL (<see cref="IlScanner"/>). When step 1 has errors there is no nanoFramework assembly to
    /// scan, so the same sources are compiled once more against the host's .NET assemblies purely to get IL
    /// (files that fail there too are left out of the scan and named in the notes): a source that uses
    /// Span&lt;T&gt; with stackalloc gets both the API finding and the opcode finding.
    /// </summary>
    public static class NanoChecker
    {
        /// <summary>Compiler errors that mean "this API does not exist in nanoFramework".</summary>
        static readonly HashSet<string> MissingApi = new HashSet<string>
        {
            "CS0012", "CS0103", "CS0117", "CS0234", "CS0246", "CS0305", "CS0308", "CS0400", "CS0426", "CS0518",
            "CS0656", "CS1061", "CS1069", "CS1503", "CS1501", "CS1929", "CS7036", "CS8179", "CS8356", "CS0619",
        };

        public static CheckResult Check(CheckOptions options)
        {
            if (options.Api == null) throw new ArgumentException("CheckOptions.Api is required");
            var files = CollectSources(options.Paths);
            var result = new CheckResult { Files = files };
            if (files.Count == 0) return result;

            var parse = new CSharpParseOptions(LanguageVersion.CSharp7_3, DocumentationMode.None, SourceCodeKind.Regular, options.Defines);
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(f), Encoding.UTF8), parse, path: f)).ToList();
            var compileOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: false, nullableContextOptions: NullableContextOptions.Disable,
                optimizationLevel: OptimizationLevel.Release, deterministic: true);

            var findings = new HashSet<Finding>();
            var nano = CSharpCompilation.Create("Mote.NanoCheck.Device", trees, new[] { options.Api.Reference }, compileOptions);
            var errors = nano.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.IsInSource).ToList();
            foreach (var e in errors) findings.Add(FromDiagnostic(e));
            foreach (var f in WidenedMathCalls(nano)) findings.Add(f);

            // IL scan: the nanoFramework compilation itself when it emits; otherwise (compile errors, or errors
            // only found while emitting, e.g. an iterator needing IEnumerable<T>) a host .NET compilation of the
            // same sources, for IL only; files that fail there too are left out (at most 3 rounds).
            byte[] pe = null, pdb = null;
            List<Diagnostic> emitErrors = null;
            CSharpCompilation scanned = null;
            if (errors.Count == 0 && TryEmit(nano, out pe, out pdb, out emitErrors))
            {
                scanned = nano;
                result.IlScanned = "nanoFramework compilation";
            }
            else
            {
                foreach (var d in emitErrors ?? Enumerable.Empty<Diagnostic>())
                    findings.Add(FromDiagnostic(d));
                var kept = trees.ToList();
                for (int round = 0; round < 3 && kept.Count > 0 && scanned == null; round++)
                {
                    var host = CSharpCompilation.Create("Mote.NanoCheck.Host", kept, HostReferences.Value, compileOptions);
                    var hostErrors = host.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                    List<Diagnostic> hostEmitErrors = null;
                    if (hostErrors.Count == 0 && TryEmit(host, out pe, out pdb, out hostEmitErrors)) { scanned = host; break; }
                    var bad = new HashSet<SyntaxTree>(hostErrors.Concat(hostEmitErrors ?? Enumerable.Empty<Diagnostic>())
                        .Where(d => d.Location.IsInSource).Select(d => d.Location.SourceTree));
                    if (bad.Count == 0) break;
                    kept = kept.Where(t => !bad.Contains(t)).ToList();
                }
                if (scanned != null)
                    result.IlScanned = "host .NET compilation (the sources do not compile against nanoFramework)";
                foreach (var t in trees.Where(t => scanned == null || !scanned.SyntaxTrees.Contains(t)))
                    result.Notes.Add(t.FilePath + ": IL not scanned (does not compile against nanoFramework or the host .NET)");
            }

            if (scanned != null)
            {
                var reported = new HashSet<(string, int)>(findings.Select(f => (f.File, f.Line)));
                foreach (var f in IlScanner.Scan(pe, pdb, scanned, options.Api, options.AllowNanoMath))
                {
                    if (f.RestatesMissingApi && reported.Contains((f.File, f.Line))) continue;
                    // A field-like event's add/remove accessors use Interlocked.CompareExchange<T> only when the
                    // reference assemblies have it (the host fallback does); against nanoFramework, which lacks it,
                    // the compiler emits synchronized non-generic accessors. So in the fallback this instantiation
                    // is the compiler's, not the source's (explicit calls fail to bind and are reported above).
                    if (scanned != nano && f.Kind == FindingKind.Generic
                        && f.Message.StartsWith("generic method instantiation System.Threading.Interlocked.CompareExchange<", StringComparison.Ordinal))
                        continue;
                    findings.Add(f);
                }
            }

            result.Findings = findings
                .OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Message, StringComparer.Ordinal)
                .ToList();
            return result;
        }

        static bool TryEmit(CSharpCompilation compilation, out byte[] pe, out byte[] pdb, out List<Diagnostic> errors)
        {
            var peStream = new MemoryStream();
            var pdbStream = new MemoryStream();
            var emit = compilation.Emit(peStream, pdbStream, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
            pe = peStream.ToArray();
            pdb = pdbStream.ToArray();
            errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.IsInSource).ToList();
            return emit.Success;
        }

        static Finding FromDiagnostic(Diagnostic d)
        {
            var span = d.Location.GetLineSpan();
            string message = Regex.Replace(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture),
                @" \((are you missing|is an assembly reference|you must add a reference)[^)]*\)", "");
            string text = MissingApi.Contains(d.Id)
                ? "not in nanoFramework 1.17: " + message + " [" + d.Id + "]"
                : "does not compile for nanoFramework (C# 7.3): " + message + " [" + d.Id + "]";
            return new Finding(span.Path, span.StartLinePosition.Line + 1, FindingKind.Compile, text);
        }

        /// <summary>
        /// Calls that bind, on nanoFramework, to a floating-point Math overload although their arguments
        /// are integers: nanoFramework.System.Math has Max/Min/Abs only for int, float and double, so
        /// <c>Math.Max(long, long)</c> compiles there as <c>Max(double, double)</c> and computes in floating point.
        /// </summary>
        static IEnumerable<Finding> WidenedMathCalls(CSharpCompilation compilation)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                SemanticModel model = null;
                foreach (var call in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    string name = (call.Expression as MemberAccessExpressionSyntax)?.Name.Identifier.Text
                                  ?? (call.Expression as IdentifierNameSyntax)?.Identifier.Text;
                    if (name == null || !IlScanner.ExactMath.Contains(name)) continue;
                    model = model ?? compilation.GetSemanticModel(tree);
                    if (!(model.GetSymbolInfo(call).Symbol is IMethodSymbol method)) continue;
                    if (method.ContainingType?.ToDisplayString() != "System.Math") continue;
                    var args = call.ArgumentList.Arguments;
                    for (int i = 0; i < args.Count && i < method.Parameters.Length; i++)
                    {
                        var p = method.Parameters[i].Type.SpecialType;
                        var a = model.GetTypeInfo(args[i].Expression).Type?.SpecialType ?? SpecialType.None;
                        if ((p == SpecialType.System_Single || p == SpecialType.System_Double) && IsInteger(a))
                        {
                            string argTypes = string.Join(", ", args.Select(x => model.GetTypeInfo(x.Expression).Type?.ToDisplayString() ?? "?"));
                            string bound = method.Name + "(" + string.Join(", ", method.Parameters.Select(x => x.Type.ToDisplayString())) + ")";
                            var span = call.GetLocation().GetLineSpan();
                            yield return new Finding(span.Path, span.StartLinePosition.Line + 1, FindingKind.FloatMath,
                                "float math: System.Math." + method.Name + "(" + argTypes + ") has no integer overload in nanoFramework.System.Math and binds to " + bound + " (integer arguments widened to floating point)");
                            break;
                        }
                    }
                }
            }
        }

        static bool IsInteger(SpecialType t) =>
            t == SpecialType.System_SByte || t == SpecialType.System_Byte || t == SpecialType.System_Int16 || t == SpecialType.System_UInt16
            || t == SpecialType.System_Int32 || t == SpecialType.System_UInt32 || t == SpecialType.System_Int64 || t == SpecialType.System_UInt64
            || t == SpecialType.System_Char;

        /// <summary>The running .NET's own framework assemblies, for the IL-only fallback compilation.</summary>
        static readonly Lazy<IReadOnlyList<MetadataReference>> HostReferences = new Lazy<IReadOnlyList<MetadataReference>>(() =>
        {
            string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
            return tpa.Split(Path.PathSeparator)
                .Where(p => p.Length > 0 && string.Equals(Path.GetDirectoryName(p), runtimeDir, StringComparison.Ordinal))
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                            || Path.GetFileName(p) == "mscorlib.dll" || Path.GetFileName(p) == "netstandard.dll")
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToList();
        });

        /// <summary>Files and directories → sorted full paths of the .cs files (bin/ and obj/ skipped).</summary>
        public static IReadOnlyList<string> CollectSources(IEnumerable<string> paths)
        {
            var files = new SortedSet<string>(StringComparer.Ordinal);
            foreach (string p in paths)
            {
                string full = Path.GetFullPath(p);
                if (File.Exists(full)) { files.Add(full); continue; }
                if (!Directory.Exists(full)) throw new FileNotFoundException("no such file or directory: " + p, p);
                foreach (string f in Directory.EnumerateFiles(full, "*.cs", SearchOption.AllDirectories))
                {
                    string rel = Path.GetRelativePath(full, f).Replace('\\', '/');
                    if (("/" + rel).Contains("/obj/") || ("/" + rel).Contains("/bin/")) continue;
                    files.Add(f);
                }
            }
            return files.ToList();
        }
    }
}
