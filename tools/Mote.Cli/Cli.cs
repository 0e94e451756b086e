using System;
using System.Collections.Generic;
using System.IO;
using Mote.Packer;
using Mote.Packer.Tflite;
using Mote.Runtime;

namespace Mote.Cli
{
    /// <summary>
    /// The `mote` command line. Exit codes: 0 success, 1 the model/blob/input is wrong (message names
    /// the file, operator, tensor or offset), 2 the command line is wrong.
    /// </summary>
    public static class Cli
    {
        public const string Usage = @"mote — pack int8 neural networks into verified .mote blobs and run them.

Usage:
  mote pack <model.tflite> [-o <out.mote>] [--quiet]
      Import a fully-integer int8 TensorFlow Lite model, plan its arena, write a
      checksummed blob, verify it with the runtime's own reader, and print a
      per-layer table (op, shapes, MACs, weight bytes, arena placement).
      Default output: <model>.mote beside the input.
  mote inspect <model.mote> [--json]
      Header, sections, tensors, operators, arena and CRC of a blob.
  mote run <model.mote> --input <in.bin> [--output <out.bin>] [--layers <dir>]
      Run once on the host with the reference kernels. <in.bin> holds the raw
      bytes of all model inputs concatenated in model order (row-major NHWC,
      int8 as bytes). Without --output the outputs are printed. --layers writes
      every operator's output tensor as opNNN_<op>_t<tensor>.bin (the names TFLM's
      layer dumps use), to find the first layer where two runtimes disagree.
  mote bench <model.mote> [--iterations N] [--warmup N] [--input <in.bin>] [--json]
      Time Invoke (median and p90 in microseconds), count bytes allocated per
      Invoke (must be 0) and report arena, blob, weights and load-time state bytes.
  mote help | --help | -h

Examples:
  mote pack person_detection.tflite -o person.mote
  mote inspect person.mote --json
  mote run person.mote --input input_0.bin --output out.bin --layers layers/
  mote bench person.mote --iterations 200 --json

Exit codes: 0 ok, 1 model or input error (the message names the file, operator,
tensor or byte offset), 2 usage error.";

        public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            try
            {
                var a = new Args(args, 1);
                if (a.Has("--help") || a.Has("-h"))
                {
                    stdout.WriteLine(Usage);
                    return 0;
                }
                switch (args[0])
                {
                    case "pack": return Commands.Pack(a, stdout);
                    case "inspect": return Commands.Inspect(a, stdout);
                    case "run": return Commands.RunModel(a, stdout);
                    case "bench": return Commands.Bench(a, stdout);
                    default:
                        stderr.WriteLine($"mote: unknown command '{args[0]}'. Commands: pack, inspect, run, bench, help.");
                        return 2;
                }
            }
            catch (UsageException e)
            {
                stderr.WriteLine($"mote {args[0]}: {e.Message}");
                stderr.WriteLine("Run 'mote --help' for usage.");
                return 2;
            }
            catch (Exception e) when (e is PackException or TfliteFormatException or MoteFormatException or InputException)
            {
                stderr.WriteLine($"mote {args[0]}: error: {e.Message}");
                return 1;
            }
            catch (IOException e)
            {
                stderr.WriteLine($"mote {args[0]}: error: {e.Message}");
                return 1;
            }
            catch (UnauthorizedAccessException e)
            {
                stderr.WriteLine($"mote {args[0]}: error: {e.Message}");
                return 1;
            }
        }
    }

    public sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    /// <summary>The user's input file does not fit the model (wrong size).</summary>
    public sealed class InputException : Exception
    {
        public InputException(string message) : base(message) { }
    }

    /// <summary>Minimal argument reader: positionals, flags and --name value options, unknown options rejected.</summary>
    public sealed class Args
    {
        readonly List<string> positionals = new();
        readonly Dictionary<string, string> options = new();
        readonly HashSet<string> flags = new();
        readonly HashSet<string> used = new();

        static readonly HashSet<string> ValueOptions = new() { "-o", "--output", "--input", "--layers", "--iterations", "--warmup" };
        static readonly HashSet<string> FlagOptions = new() { "--json", "--quiet", "--help", "-h" };

        public Args(string[] args, int start)
        {
            for (int i = start; i < args.Length; i++)
            {
                string s = args[i];
                if (ValueOptions.Contains(s))
                {
                    if (i + 1 >= args.Length) throw new UsageException($"option {s} needs a value");
                    options[s] = args[++i];
                }
                else if (FlagOptions.Contains(s)) flags.Add(s);
                else if (s.StartsWith("-") && s.Length > 1) throw new UsageException($"unknown option '{s}'");
                else positionals.Add(s);
            }
        }

        public bool Has(string flag) { used.Add(flag); return flags.Contains(flag); }

        public string Get(string name, string alias = null)
        {
            used.Add(name);
            if (alias != null) used.Add(alias);
            if (options.TryGetValue(name, out var v)) return v;
            if (alias != null && options.TryGetValue(alias, out v)) return v;
            return null;
        }

        public int GetInt(string name, int fallback, int min)
        {
            string v = Get(name);
            if (v == null) return fallback;
            if (!int.TryParse(v, out int n) || n < min) throw new UsageException($"{name} expects a whole number >= {min}, got '{v}'");
            return n;
        }

        public string Positional(int i, string what)
        {
            if (i >= positionals.Count) throw new UsageException($"missing {what}");
            return positionals[i];
        }

        public void NoMorePositionals(int count)
        {
            if (positionals.Count > count) throw new UsageException($"unexpected argument '{positionals[count]}'");
        }

        /// <summary>Rejects options that were given but mean nothing to this command.</summary>
        public void RejectUnused()
        {
            foreach (var k in options.Keys) if (!used.Contains(k)) throw new UsageException($"option {k} does not apply to this command");
            foreach (var k in flags) if (!used.Contains(k)) throw new UsageException($"option {k} does not apply to this command");
        }
    }
}
