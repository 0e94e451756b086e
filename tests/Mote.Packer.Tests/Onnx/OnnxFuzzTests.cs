using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Mote.Packer.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Packer.Tests.Onnx
{
    /// <summary>
    /// Mutation fuzzing of the ONNX reader: every parse of a corrupted model must either succeed or throw
    /// <see cref="OnnxFormatException"/>, whose InnerException may only be the protobuf decoder's own
    /// <see cref="InvalidProtocolBufferException"/> (anything else would mean an internal error was wrapped). Models
    /// that parse are then read completely (every tensor decoded, every attribute fetched with its getter), where
    /// again only OnnxFormatException may escape. Each parse must be quick and allocate little.
    /// Fixed seeds, so failures reproduce. Iterations per model: MOTE_FUZZ_ITERATIONS, default 2000.
    /// </summary>
    public class OnnxFuzzTests
    {
        const int DefaultIterations = 2000;
        static readonly TimeSpan PerParseLimit = TimeSpan.FromSeconds(2);
        const long AllocationLimit = 64L << 20;

        readonly ITestOutputHelper _out;
        public OnnxFuzzTests(ITestOutputHelper output) { _out = output; }

        static int Iterations()
        {
            string s = Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS");
            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : DefaultIterations;
        }

        /// <summary>Protobuf-minded mutations: bit flips, byte sets, small increments (lengths and varints), varint
        /// overwrites, truncation, insertion of random bytes or of a copy of another part of the file (duplicated
        /// fields), deletion.</summary>
        sealed class Mutator
        {
            readonly Random _rng;
            readonly byte[] _original;

            public Mutator(byte[] original, int seed)
            {
                _rng = new Random(seed);
                _original = original;
            }

            public byte[] Next(out string description)
            {
                byte[] b = (byte[])_original.Clone();
                int n = _rng.Next(4) == 0 ? _rng.Next(2, 5) : 1;
                var desc = new List<string>();
                for (int m = 0; m < n; m++)
                {
                    int len = b.Length;
                    int p = len == 0 ? 0 : _rng.Next(len);
                    switch (_rng.Next(9))
                    {
                        case 0:
                            if (len == 0) break;
                            b[p] ^= (byte)(1 << _rng.Next(8));
                            desc.Add("flip@" + p);
                            break;
                        case 1:
                        {
                            if (len == 0) break;
                            byte v = _rng.Next(4) switch { 0 => 0, 1 => 0xFF, 2 => 0x80, _ => (byte)_rng.Next(256) };
                            b[p] = v;
                            desc.Add("set@" + p + "=" + v);
                            break;
                        }
                        case 2:
                        {
                            if (len == 0) break;
                            int delta = _rng.Next(-8, 9);
                            b[p] = unchecked((byte)(b[p] + delta));
                            desc.Add("add@" + p + "=" + delta);
                            break;
                        }
                        case 3:
                        {
                            // A varint of 1..10 bytes (some overlong, some huge) written over the bytes at p.
                            ulong value = _rng.Next(3) switch
                            {
                                0 => (ulong)_rng.Next(0, 300),
                                1 => ulong.MaxValue >> _rng.Next(64),
                                _ => (ulong)int.MaxValue + (ulong)_rng.Next(-2, 3),
                            };
                            var w = new ProtoWriter().Varint(value).ToArray();
                            for (int i = 0; i < w.Length && p + i < len; i++) b[p + i] = w[i];
                            desc.Add("varint@" + p + "=" + value);
                            break;
                        }
                        case 4:
                        {
                            int keep = _rng.Next(len + 1);
                            Array.Resize(ref b, keep);
                            desc.Add("truncate@" + keep);
                            break;
                        }
                        case 5:
                        case 6:
                        {
                            int count = _rng.Next(1, 65);
                            var run = new byte[count];
                            bool copy = _rng.Next(6) == 5 && len > 0;
                            if (copy)
                            {
                                int from = _rng.Next(len);
                                count = Math.Min(count, len - from);
                                run = b.AsSpan(from, count).ToArray();
                            }
                            else if (_rng.Next(2) == 0) _rng.NextBytes(run);
                            var grown = new byte[len + count];
                            Array.Copy(b, 0, grown, 0, p);
                            Array.Copy(run, 0, grown, p, count);
                            Array.Copy(b, p, grown, p + count, len - p);
                            b = grown;
                            desc.Add((copy ? "copy@" : "insert@") + p + "+" + count);
                            break;
                        }
                        default:
                        {
                            if (len == 0) break;
                            int count = Math.Min(len - p, _rng.Next(1, 65));
                            var shrunk = new byte[len - count];
                            Array.Copy(b, 0, shrunk, 0, p);
                            Array.Copy(b, p + count, shrunk, p, len - p - count);
                            b = shrunk;
                            desc.Add("delete@" + p + "-" + count);
                            break;
                        }
                    }
                }
                description = string.Join(",", desc);
                return b;
            }
        }

        /// <summary>Reads everything a parsed model offers, as an importer would.</summary>
        static void ReadAll(OnnxGraph g, int depth = 0)
        {
            Assert.True(depth < 64);
            foreach (var t in g.InitializerList) ReadTensor(t);
            foreach (var node in g.Nodes)
            {
                _ = node.Describe;
                foreach (var a in node.Attributes.Values)
                {
                    Swallow(() => node.GetInt(a.Name, 0));
                    Swallow(() => node.GetFloat(a.Name, 0));
                    Swallow(() => node.GetString(a.Name, ""));
                    Swallow(() => node.GetInts(a.Name, null));
                    Swallow(() => node.GetFloats(a.Name, null));
                    Swallow(() => node.GetStrings(a.Name, null));
                    Swallow(() => node.GetTensor(a.Name));
                    Swallow(() => node.GetGraph(a.Name));
                    if (a.T != null) ReadTensor(a.T);
                    foreach (var t in a.Tensors) ReadTensor(t);
                    if (a.G != null) ReadAll(a.G, depth + 1);
                    foreach (var sub in a.Graphs) ReadAll(sub, depth + 1);
                }
            }
            foreach (var list in new[] { g.Inputs, g.Outputs, g.ValueInfo })
                foreach (var v in list) _ = v.ToString();
            _ = g.RuntimeInputs;
        }

        static void ReadTensor(OnnxTensor t)
        {
            Swallow(() => t.ToFloats());
            Swallow(() => t.ToInt64s());
            Swallow(() => t.ToInt32s());
            Swallow(() => t.ToInt8s());
            Swallow(() => t.ToUInt8s());
            Swallow(() => t.ToStrings());
            _ = t.ToString();
        }

        static void Swallow(Action read)
        {
            try
            {
                read();
            }
            catch (OnnxFormatException e)
            {
                Assert.StartsWith("fuzz.onnx: ", e.Message);
                Assert.Null(e.InnerException);
            }
        }

        (int Accepted, int Rejected) Fuzz(byte[] original, int seed)
        {
            OnnxModel.Parse(original, "fuzz.onnx"); // the unmutated model parses
            int iterations = Iterations();
            var mutator = new Mutator(original, seed);
            int accepted = 0, rejected = 0;
            var clock = new Stopwatch();
            for (int i = 0; i < iterations; i++)
            {
                byte[] bytes = mutator.Next(out string description);
                string context = "seed " + seed + ", iteration " + i + " (" + description + ")";
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                clock.Restart();
                try
                {
                    var model = OnnxModel.Parse(bytes, "fuzz.onnx");
                    ReadAll(model.Graph);
                    accepted++;
                }
                catch (OnnxFormatException e)
                {
                    rejected++;
                    Assert.True(e.Message.StartsWith("fuzz.onnx: ", StringComparison.Ordinal), context + ": " + e.Message);
                    Assert.True(e.InnerException == null || e.InnerException is InvalidProtocolBufferException,
                                context + ": wrapped " + e.InnerException);
                }
                catch (Exception e)
                {
                    Assert.Fail(context + ": " + e);
                }
                Assert.True(clock.Elapsed < PerParseLimit, context + ": took " + clock.Elapsed);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                Assert.True(allocated < AllocationLimit, context + ": allocated " + allocated + " bytes");
            }
            _out.WriteLine("seed " + seed + ": " + iterations + " mutants, " + accepted + " accepted, " + rejected + " rejected");
            return (accepted, rejected);
        }

        [Fact]
        public void Parse_MutatedRichModel_OnlyFormatExceptions()
        {
            var (accepted, rejected) = Fuzz(OnnxTestModels.Rich().Build(), seed: 1);
            Assert.True(rejected > 0 && accepted > 0, "the mutations should both break and keep models");
        }

        [Fact]
        public void Parse_MutatedTypedStorageModel_OnlyFormatExceptions()
        {
            // Typed (non-raw) data fields everywhere, so mutations hit packed float/int32/int64/double arrays.
            var model = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 4)
                .Initializer("f", new[] { 2, 2 }, OnnxTestModels.Floats(4), OnnxStorage.Typed)
                .Initializer("d", new[] { 2 }, new[] { 0.5, -1 }, OnnxStorage.Typed)
                .Initializer("q", new[] { 3 }, new sbyte[] { -1, 0, 1 }, OnnxStorage.Typed)
                .Initializer("u", new[] { 3 }, new byte[] { 0, 128, 255 }, OnnxStorage.Typed)
                .Initializer("i", new[] { 2 }, new[] { 1, -1 }, OnnxStorage.Typed)
                .Initializer("l", new[] { 2 }, new long[] { 1, 4 }, OnnxStorage.Typed)
                .Node("Gemm", new[] { "x", "f" }, new[] { "y" }, "gemm", ("alpha", 1f), ("transB", 1), ("names", new[] { "a", "b" }))
                .Output("y", OnnxDataType.Float, 1, 2)
                .Build();
            Fuzz(model, seed: 2);
        }

        [Fact]
        public void Parse_MutatedUnpackedEncoding_OnlyFormatExceptions()
        {
            Fuzz(OnnxReaderTests.HandEncoded(packed: false), seed: 3);
        }
    }
}
