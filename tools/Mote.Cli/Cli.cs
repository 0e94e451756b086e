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
  mote demo [digits|ecg ...] [--json] [-o <dir>]
      The main job, self-contained: takes the repository's sample ONNX models
      (tools/samples) through calibration, int8 quantization, packing and int8
      inference on their held-out test data; prints float vs int8 accuracy (or
      F1), blob size, arena and latency. --json ends with one JSON object per
      sample. Blobs go to <dir> (default out/demo).
  mote pack <model.tflite> [-o <out.mote>] [--profile <board.json|id>] [--quiet]
      Import a fully-integer int8 TensorFlow Lite model, plan its arena, write a
      checksummed blob, verify it with the runtime's own reader, and print a
      per-layer table (op, shapes, MACs, weight bytes, arena placement).
      Default output: <model>.mote beside the input.
      --profile checks the model against a board (a hardware-profiles/*.json
      file, or its id: esp32, raspberry-pi-5, ...): prints flash use (blob vs
      budget) and RAM use (arena + load-time state + scratch, + the blob where
      the board holds it in RAM). When it does not fit, exits 1 naming the
      peak operator, the tensors live there and what would help; no blob is
      written.
  mote pack <model.onnx> --calibration <samples.npy|dir> [quantization options]
            [-o <out.mote>] [--report <report.html>] [--profile <board>] [--quiet]
      Quantize a float ONNX model to int8 (TFLite's int8 contract) and pack it.
      Calibration data: float32 .npy files holding samples of the model input,
      [N, ...input shape] (ONNX layout, NCHW), or a directory of them. A QDQ
      model keeps its own scales and needs no calibration. Prints the chosen
      range per tensor and int8-vs-float SQNR/cosine per layer; --report writes
      an HTML page with the same table, SQNR chart and range histograms.
  mote eval <model.onnx | sample-dir> --data <inputs.npy> [--labels <y.npy>]
            [--metric accuracy|f1] [--positive-class K] [--calibration ...] [--json]
      Quantize like pack, then run float and int8 side by side on the data:
      per-layer SQNR/cosine, top-1 agreement and the end metric float vs int8.
      Given a sample directory (tools/samples/digits) it uses its manifest.
  Quantization options (pack, eval, demo):
      --method auto|minmax|percentile|mse   how activation ranges are chosen
          (default auto: per tensor, the method giving the best int8 output
          SQNR on the calibration data, tried on the real int8 runtime)
      --percentile P         upper percentile for 'percentile' (default 99.99)
      --range <tensor>=<method>   override one tensor (repeatable)
      --auto-samples N       calibration samples auto scores on (default 64)
      --bias-correction      fold the mean error of weight rounding into each
                             conv/fully-connected bias (from calibration means)
      --activations int8|int16|auto   activation type (weights stay int8):
          int8 (default); int16: TFLite's 16x8 mode, symmetric int16 (zero
          point 0, min-max range) for every CONV_2D, DEPTHWISE_CONV_2D,
          FULLY_CONNECTED, ADD, MUL, LEAKY_RELU, pooling, RESHAPE and PAD
          output, int8 elsewhere with QUANTIZE ops between;
          auto: int8, then per round the layers with the worst SQNR against
          float are each tried in int16 (with the int16-capable layers that
          read them) and the best try is kept while it raises the output SQNR
          by >= 1 dB; the summary names the layers moved and the measured dB
      --io int8|int16        model input/output type (default int8: with int16
                             activations QUANTIZE ops convert at the boundary)
  mote inspect <model.mote> [--json]
      Header, sections, tensors, operators, arena and CRC of a blob.
  mote run <model.mote> --input <in.bin> [--output <out.bin>] [--layers <dir>]
      Run once on the host with the reference kernels. <in.bin> holds the raw
      bytes of all model inputs concatenated in model order (row-major NHWC,
      int8 as bytes). Without --output the outputs are printed. --layers writes
      every operator's output tensor as opNNN_<op>_t<tensor>.bin (the names TFLM's
      layer dumps use), to find the first layer where two runtimes disagree.
  mote bench <model.mote> [--iterations N] [--warmup N] [--warmup-ms MS] [--input <in.bin>] [--json]
             [--kernels reference|simd|auto] [--per-op]   (simd/auto: ratio vs reference; per-op: µs table)
      Time Invoke (median and p90 in microseconds), count bytes allocated per
      Invoke (must be 0) and report arena, blob, weights and load-time state bytes.
      Warm-up runs at least --warmup invocations (default 10) and at least
      --warmup-ms (default 1000): .NET compiles hot code optimized only after
      ~30 calls and a quiet 100 ms, so a short warm-up times unoptimized code.
  mote board [--port <tty>] [--model <blob>] [--replay ecg|<stream.npy>] [--speed N] [--flash <file>] [--seconds N]
      Virtual board: the device pipeline (replay sensor, R-peak windows, LED on
      abnormal beats) and the serial protocol on <tty>, or on a new pseudo-terminal
      whose path it prints. docs/devices.md.
  mote monitor --port <tty> [--count N] [--json]
      Print results, logs and device info live (reconnects); --count N --json
      prints N results as JSON lines and exits.
  mote deploy --port <tty> <model.mote> [--verbose]
      Upload a blob in acknowledged chunks (resumes), verify the device switched.
      --verbose logs every retry, timeout and unexpected answer.
  mote validate --port <tty> <model.mote> --data <dir> [--count N] [--json]
      Send the test windows of <dir> (test_x.npy, test_y.npy) to the device and
      compare every device result with the host run of the same blob.
  mote help | --help | -h

Examples:
  mote demo
  mote pack tools/samples/digits/digits.onnx --calibration tools/samples/digits/calibration.npy -o digits.mote
  mote eval tools/samples/ecg --report ecg.html
  mote pack person_detection.tflite -o person.mote
  mote pack person_detection.tflite --profile esp32-s3
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
                    case "pack": return Commands.Pack(a, stdout, stderr);
                    case "eval": return QuantCommands.Eval(a, stdout, stderr);
                    case "demo": return QuantCommands.Demo(a, stdout, stderr);
                    case "inspect": return Commands.Inspect(a, stdout);
                    case "run": return Commands.RunModel(a, stdout);
                    case "bench": return Commands.Bench(a, stdout);
                    case "board": return DeviceCommands.Board(a, stdout, stderr);
                    case "monitor": return DeviceCommands.Monitor(a, stdout, stderr);
                    case "deploy": return DeviceCommands.Deploy(a, stdout, stderr);
                    case "validate": return DeviceCommands.Validate(a, stdout, stderr);
                    default:
                        stderr.WriteLine($"mote: unknown command '{args[0]}'. Commands: pack, eval, demo, inspect, run, bench, board, monitor, deploy, validate, help.");
                        return 2;
                }
            }
            catch (UsageException e)
            {
                stderr.WriteLine($"mote {args[0]}: {e.Message}");
                stderr.WriteLine("Run 'mote --help' for usage.");
                return 2;
            }
            catch (Exception e) when (e is PackException or TfliteFormatException or MoteFormatException or InputException or Mote.Packer.Onnx.OnnxFormatException or Mote.Packer.Data.DataFormatException)
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
        readonly Dictionary<string, List<string>> repeated = new();
        readonly HashSet<string> flags = new();
        readonly HashSet<string> used = new();

        static readonly HashSet<string> ValueOptions = new()
        {
            "-o", "--output", "--input", "--layers", "--iterations", "--warmup", "--warmup-ms", "--calibration", "--method", "--percentile",
            "--range", "--report", "--data", "--labels", "--metric", "--positive-class", "--samples", "--auto-samples", "--profile",
            "--kernels", "--activations", "--io", "--port", "--model", "--replay", "--speed", "--flash", "--seconds", "--count",
        };
        static readonly HashSet<string> FlagOptions = new() { "--json", "--quiet", "--help", "-h", "--bias-correction", "--per-op" };

        public Args(string[] args, int start)
        {
            for (int i = start; i < args.Length; i++)
            {
                string s = args[i];
                if (ValueOptions.Contains(s))
                {
                    if (i + 1 >= args.Length) throw new UsageException($"option {s} needs a value");
                    options[s] = args[++i];
                    if (!repeated.TryGetValue(s, out var list)) repeated[s] = list = new List<string>();
                    list.Add(options[s]);
                }
                else if (FlagOptions.Contains(s)) flags.Add(s);
                else if (s.StartsWith("-") && s.Length > 1) throw new UsageException($"unknown option '{s}'");
                else positionals.Add(s);
            }
        }

        public bool Has(string flag) { used.Add(flag); return flags.Contains(flag); }

        /// <summary>Every value of a repeatable option, in order.</summary>
        public IReadOnlyList<string> GetAll(string name)
        {
            used.Add(name);
            return repeated.TryGetValue(name, out var l) ? l : new List<string>();
        }

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
