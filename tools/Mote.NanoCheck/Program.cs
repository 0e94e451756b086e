using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Mote.NanoCheck
{
    public static class Program
    {
        /// <summary>The device-side sources checked when no path is given (relative to the repository root).</summary>
        public static readonly string[] DefaultPaths = { "src/Mote.Runtime", "src/Mote.Device" };

        const string Help =
@"nanocheck — the nanoFramework 1.17 compatibility gate for Mote's device-side sources.

Usage: tools/nanocheck [options] [paths...]

Compiles the given C# files (directories: every *.cs below them, bin/ and obj/ skipped;
default: " + "src/Mote.Runtime and src/Mote.Device" + @") at C# 7.3 against reference stubs generated from the
nanoFramework 1.17 API listings in ../shared/apis (mscorlib and the nanoFramework device
libraries; no .NET reference assemblies), then scans the compiled IL. Reports:
  - every compiler error: an API that nanoFramework 1.17 lacks (List<T>, Span<T>, LINQ,
    Buffer.BlockCopy, ...) or a language feature newer than C# 7.3;
  - unsupported IL opcodes: localloc (stackalloc), cpblk, initblk, calli, jmp;
  - generic type/method definitions and instantiations (nanoFramework 1.x has no generics);
  - multidimensional arrays;
  - float math: System.Math/MathF members other than Abs/Min/Max/Clamp/Sign (the device core is
    integer-only; mscorlib has no Math, nanoFramework.System.Math has some members natively),
    and integer calls that silently bind to a floating-point Math overload there.
Each finding prints as 'file:line: finding'; then one summary line.

Options:
  --apis DIR         listings directory (default: $MOTE_SHARED/apis, else <repo>/../shared/apis)
  --api FILE         check against this listing only (repeatable; replaces the default set)
  --allow-nf-math    accept what nanoFramework.System.Math provides (Exp, Sqrt, ... on double);
                     still reports Math members nanoFramework lacks. For app code, not the core.
  -D, --define SYM   preprocessor symbol for the device build (repeatable)
  --nfproj FILE      check the C# files FILE (an .nfproj) compiles: its Compile items, wildcards and
                     simple '$(Prop)' == 'value' conditions evaluated (repeatable; adds to paths)
  -p, --property N=V set an MSBuild property for --nfproj conditions (e.g. MoteNativeKernels=false)
  --dotnet-iot       Raspberry Pi mode: compile the paths against the .NET 8 reference assemblies plus
                     stubs from the dotnet-iot.* listings (System.Device.Gpio, Iot.Device.*), C# 12;
                     compiler errors are the findings (no nanoFramework IL rules: the Pi runs full .NET)
  --dump-stubs FILE  write the generated stub source to FILE
  -v, --verbose      also print notes (listing entries the stubs could not reproduce, IL source)
  -h, --help         this text

Exit status: 0 no findings, 1 findings, 2 usage or setup error (e.g. listings not found).
What this proves and what it cannot (firmware support, timing, RAM): docs/platforms.md.";

        public static int Main(string[] args) => Run(args, Console.Out, Console.Error, Directory.GetCurrentDirectory());

        public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string workingDirectory)
        {
            var paths = new List<string>();
            var apiFiles = new List<string>();
            var defines = new List<string>();
            var nfprojs = new List<string>();
            var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            bool dotnetIot = false;
            string apisDir = null, dumpStubs = null;
            bool verbose = false, allowNanoMath = false;
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                string Next()
                {
                    if (i + 1 >= args.Length) throw new UsageException(a + " needs a value");
                    return args[++i];
                }
                try
                {
                    switch (a)
                    {
                        case "-h": case "--help": stdout.WriteLine(Help); return 0;
                        case "--apis": apisDir = Next(); break;
                        case "--api": apiFiles.Add(Next()); break;
                        case "--allow-nf-math": allowNanoMath = true; break;
                        case "-D": case "--define": defines.Add(Next()); break;
                        case "--dump-stubs": dumpStubs = Next(); break;
                        case "--nfproj": nfprojs.Add(Next()); break;
                        case "--dotnet-iot": dotnetIot = true; break;
                        case "-p": case "--property":
                        {
                            string kv = Next();
                            int eq = kv.IndexOf('=');
                            if (eq <= 0) throw new UsageException(a + " needs NAME=VALUE");
                            properties[kv.Substring(0, eq)] = kv.Substring(eq + 1);
                            break;
                        }
                        case "-v": case "--verbose": verbose = true; break;
                        default:
                            if (a.StartsWith("-", StringComparison.Ordinal) && a.Length > 1)
                                throw new UsageException("unknown option " + a + " (see --help)");
                            paths.Add(a);
                            break;
                    }
                }
                catch (UsageException e)
                {
                    stderr.WriteLine("nanocheck: " + e.Message);
                    return 2;
                }
            }

            string repo = FindRepoRoot(workingDirectory) ?? FindRepoRoot(AppContext.BaseDirectory);
            foreach (string project in nfprojs)
            {
                try
                {
                    paths.AddRange(NfProject.CompileItems(Path.GetFullPath(project, workingDirectory), properties));
                }
                catch (Exception e) when (e is IOException || e is FormatException || e is System.Xml.XmlException)
                {
                    stderr.WriteLine("nanocheck: " + e.Message);
                    return 2;
                }
            }
            if (dotnetIot) return RunIot(paths, apisDir, workingDirectory, repo, stdout, stderr);
            if (paths.Count == 0)
            {
                if (repo == null) { stderr.WriteLine("nanocheck: no paths given and no repository (Runtime.sln) above " + workingDirectory); return 2; }
                paths.AddRange(DefaultPaths.Select(p => Path.Combine(repo, p)));
            }
            paths = paths.Select(p => Path.GetFullPath(p, workingDirectory)).ToList();

            NanoApi api;
            try
            {
                if (apiFiles.Count == 0)
                {
                    apisDir = apisDir ?? DefaultApisDir(repo);
                    if (apisDir == null || !Directory.Exists(apisDir))
                    {
                        stderr.WriteLine("nanocheck: the nanoFramework API listings (../shared/apis) were not found" + (apisDir != null ? " at " + apisDir : "") + "; pass --apis DIR or set MOTE_SHARED");
                        return 2;
                    }
                    apiFiles.AddRange(NanoApi.DefaultListings(Path.GetFullPath(apisDir, workingDirectory)));
                }
                api = NanoApi.Load(apiFiles.Select(f => Path.GetFullPath(f, workingDirectory)).ToList());
                if (dumpStubs != null)
                    File.WriteAllText(Path.GetFullPath(dumpStubs, workingDirectory), api.StubSource);
            }
            catch (Exception e) when (e is IOException || e is FormatException || e is InvalidOperationException || e is UnauthorizedAccessException)
            {
                stderr.WriteLine("nanocheck: " + e.Message);
                return 2;
            }

            CheckResult result;
            try
            {
                result = NanoChecker.Check(new CheckOptions { Paths = paths, Api = api, AllowNanoMath = allowNanoMath, Defines = defines });
            }
            catch (FileNotFoundException e)
            {
                stderr.WriteLine("nanocheck: " + e.Message);
                return 2;
            }

            foreach (var f in result.Findings)
                stdout.WriteLine(f.Format(DisplayPath(f.File, workingDirectory)));
            if (verbose)
            {
                foreach (var n in api.Notes) stderr.WriteLine("nanocheck: note: stubs: " + n);
                foreach (var n in result.Notes) stderr.WriteLine("nanocheck: note: " + n);
                stderr.WriteLine("nanocheck: note: IL scanned from the " + (result.IlScanned.Length > 0 ? result.IlScanned : "(nothing)"));
            }
            else
            {
                foreach (var n in result.Notes) stderr.WriteLine("nanocheck: note: " + n);
            }

            string against = result.Files.Count + " file" + (result.Files.Count == 1 ? "" : "s") + " checked against " + api.Description + ", C# 7.3";
            if (result.Files.Count == 0)
            {
                stderr.WriteLine("nanocheck: no C# files found in " + string.Join(", ", paths.Select(p => DisplayPath(p, workingDirectory))));
                return 2;
            }
            if (result.Findings.Count == 0)
            {
                stdout.WriteLine("nanocheck: no findings (" + against + ")");
                return 0;
            }
            int filesWith = result.Findings.Select(f => f.File).Distinct().Count();
            var byKind = result.Findings.GroupBy(f => f.Kind).OrderBy(g => g.Key).Select(g => g.Count() + " " + KindLabel(g.Key));
            stdout.WriteLine("nanocheck: " + result.Findings.Count + " finding" + (result.Findings.Count == 1 ? "" : "s") + " in " + filesWith
                + " file" + (filesWith == 1 ? "" : "s") + " (" + string.Join(", ", byKind) + "; " + against + ")");
            return 1;
        }

        static int RunIot(List<string> paths, string apisDir, string workingDirectory, string repo, TextWriter stdout, TextWriter stderr)
        {
            if (paths.Count == 0) { stderr.WriteLine("nanocheck: --dotnet-iot needs paths (or --nfproj)"); return 2; }
            apisDir = apisDir ?? DefaultApisDir(repo);
            CheckResult result;
            string against;
            try
            {
                if (apisDir == null || !Directory.Exists(apisDir))
                    throw new DirectoryNotFoundException("the API listings (../shared/apis) were not found" + (apisDir != null ? " at " + apisDir : "") + "; pass --apis DIR or set MOTE_SHARED");
                var listings = IotChecker.DefaultListings(Path.GetFullPath(apisDir, workingDirectory));
                result = IotChecker.Check(paths.Select(p => Path.GetFullPath(p, workingDirectory)).ToList(), listings, out against);
            }
            catch (Exception e) when (e is IOException || e is FormatException || e is InvalidOperationException)
            {
                stderr.WriteLine("nanocheck: " + e.Message);
                return 2;
            }
            foreach (var f in result.Findings)
                stdout.WriteLine(f.Format(DisplayPath(f.File, workingDirectory)));
            if (result.Files.Count == 0) { stderr.WriteLine("nanocheck: no C# files found"); return 2; }
            string summary = result.Files.Count + " file" + (result.Files.Count == 1 ? "" : "s") + " checked against " + against;
            if (result.Findings.Count == 0) { stdout.WriteLine("nanocheck: no findings (" + summary + ")"); return 0; }
            stdout.WriteLine("nanocheck: " + result.Findings.Count + " finding" + (result.Findings.Count == 1 ? "" : "s") + " (" + summary + ")");
            return 1;
        }

        static string KindLabel(FindingKind k)
        {
            switch (k)
            {
                case FindingKind.Compile: return "compile";
                case FindingKind.Opcode: return "opcode";
                case FindingKind.Generic: return "generics";
                case FindingKind.MultiDimArray: return "multidimensional array";
                case FindingKind.FloatMath: return "float math";
                default: return k.ToString();
            }
        }

        sealed class UsageException : Exception
        {
            public UsageException(string message) : base(message) { }
        }

        static string DefaultApisDir(string repo)
        {
            string env = Environment.GetEnvironmentVariable("MOTE_SHARED");
            if (!string.IsNullOrEmpty(env)) return Path.Combine(env, "apis");
            return repo == null ? null : Path.GetFullPath(Path.Combine(repo, "..", "shared", "apis"));
        }

        static string FindRepoRoot(string start)
        {
            var dir = new DirectoryInfo(start);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Runtime.sln"))) dir = dir.Parent;
            return dir?.FullName;
        }

        /// <summary>Relative to the working directory when the file is below it, else the full path.</summary>
        public static string DisplayPath(string file, string workingDirectory)
        {
            string rel = Path.GetRelativePath(workingDirectory, file);
            return rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? file : rel.Replace('\\', '/');
        }
    }
}
