using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Mote.Packer.Tflite;
using Mote.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Packer.Tests.Tflite
{
    /// <summary>
    /// Mutation fuzzing of the reader: every parse of a corrupted model must either succeed or throw
    /// <see cref="TfliteFormatException"/> (without an InnerException, which would mean an internal error was wrapped).
    /// Fixed seeds, so failures reproduce. Iterations per model: MOTE_FUZZ_ITERATIONS (then no time cap), otherwise
    /// a default count capped by a time budget so that the whole class stays around 20 s.
    /// </summary>
    public class TfliteFuzzTests
    {
        const int DefaultIterations = 5000;
        static readonly TimeSpan DefaultBudgetPerModel = TimeSpan.FromSeconds(2.5);
        static readonly TimeSpan PerParseLimit = TimeSpan.FromSeconds(2);

        readonly ITestOutputHelper _out;
        public TfliteFuzzTests(ITestOutputHelper output) { _out = output; }

        static int? IterationsFromEnv()
        {
            string s = Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS");
            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : (int?)null;
        }

        /// <summary>Byte ranges outside constant-data buffers: the flatbuffer structure, where mutations matter most.</summary>
        static List<(int Start, int End)> StructureRanges(byte[] data)
        {
            var dataRanges = new List<(int, int)>();
            var r = new FlatBufferReader(data, "structure");
            var buffers = r.Root().GetVector(4, "buffers", 4);
            for (int i = 0; buffers.IsPresent && i < buffers.Count; i++)
            {
                var v = buffers.GetTable(i).GetVector(0, "data", 1);
                if (v.IsPresent && v.Count > 64) dataRanges.Add((v.DataPosition + 16, v.DataPosition + v.Count - 16));
            }
            dataRanges.Sort();
            var result = new List<(int, int)>();
            int pos = 0;
            foreach (var (s, e) in dataRanges)
            {
                if (s > pos) result.Add((pos, s));
                pos = Math.Max(pos, e);
            }
            if (pos < data.Length) result.Add((pos, data.Length));
            return result;
        }

        static readonly uint[] Extremes =
        {
            0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
            0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFC, 0xFFFF0000, 0x00FFFFFF, 0x40000000,
        };

        sealed class Mutator
        {
            readonly Random _rng;
            readonly byte[] _original;
            readonly List<(int Start, int End)> _hot;
            readonly long _hotTotal;

            public Mutator(byte[] original, int seed)
            {
                _rng = new Random(seed);
                _original = original;
                _hot = StructureRanges(original);
                foreach (var (s, e) in _hot) _hotTotal += e - s;
            }

            int Position(int length)
            {
                if (length <= 0) return 0;
                if (_hotTotal > 0 && _rng.Next(5) != 0)
                {
                    long k = (long)(_rng.NextDouble() * _hotTotal);
                    foreach (var (s, e) in _hot)
                    {
                        if (k < e - s) return Math.Min(length - 1, (int)(s + k));
                        k -= e - s;
                    }
                }
                return _rng.Next(length);
            }

            uint Value32(int length)
            {
                switch (_rng.Next(4))
                {
                    case 0: return Extremes[_rng.Next(Extremes.Length)];
                    case 1: return (uint)Math.Max(0, length + _rng.Next(-8, 9));
                    case 2: return (uint)_rng.Next(0, 256) * 4;
                    default: return (uint)_rng.Next() ^ ((uint)_rng.Next(2) << 31);
                }
            }

            public byte[] Next(out string description)
            {
                byte[] b = (byte[])_original.Clone();
                int n = _rng.Next(4) == 0 ? _rng.Next(2, 5) : 1;
                var desc = new List<string>();
                for (int m = 0; m < n; m++)
                {
                    int kind = _rng.Next(8);
                    int len = b.Length;
                    switch (kind)
                    {
                        case 0: // bit flips
                        {
                            int p = Position(len);
                            if (len == 0) break;
                            b[p] ^= (byte)(1 << _rng.Next(8));
                            desc.Add("flip@" + p);
                            break;
                        }
                        case 1: // byte set
                        {
                            if (len == 0) break;
                            int p = Position(len);
                            byte v = _rng.Next(3) switch { 0 => 0, 1 => 0xFF, _ => (byte)_rng.Next(256) };
                            b[p] = v;
                            desc.Add("set@" + p + "=" + v);
                            break;
                        }
                        case 2: // truncation
                        {
                            int keep = _rng.Next(3) == 0 ? _rng.Next(Math.Min(len, 64) + 1) : _rng.Next(len + 1);
                            Array.Resize(ref b, keep);
                            desc.Add("truncate@" + keep);
                            break;
                        }
                        case 3: // insert a run
                        {
                            int p = len == 0 ? 0 : Position(len);
                            int count = _rng.Next(1, 65);
                            var run = new byte[count];
                            if (_rng.Next(2) == 0) _rng.NextBytes(run);
                            var grown = new byte[len + count];
                            Array.Copy(b, 0, grown, 0, p);
                            Array.Copy(run, 0, grown, p, count);
                            Array.Copy(b, p, grown, p + count, len - p);
                            b = grown;
                            desc.Add("insert@" + p + "+" + count);
                            break;
                        }
                        case 4: // delete a run
                        {
                            if (len == 0) break;
                            int p = Position(len);
                            int count = Math.Min(len - p, _rng.Next(1, 65));
                            var shrunk = new byte[len - count];
                            Array.Copy(b, 0, shrunk, 0, p);
                            Array.Copy(b, p + count, shrunk, p, len - p - count);
                            b = shrunk;
                            desc.Add("delete@" + p + "-" + count);
                            break;
                        }
                        case 5: // 32-bit overwrite (aligned), extreme values
                        case 6:
                        {
                            if (len < 4) break;
                            int p = Math.Min(len - 4, Position(len) & ~3);
                            uint v = Value32(len);
                            for (int i = 0; i < 4; i++) b[p + i] = (byte)(v >> (8 * i));
                            desc.Add("u32@" + p + "=0x" + v.ToString("X"));
                            break;
                        }
                        default: // 16-bit overwrite (vtable entries)
                        {
                            if (len < 2) break;
                            int p = Math.Min(len - 2, Position(len) & ~1);
                            uint v = _rng.Next(2) == 0 ? Extremes[_rng.Next(Extremes.Length)] : (uint)_rng.Next(0, 64);
                            b[p] = (byte)v;
                            b[p + 1] = (byte)(v >> 8);
                            desc.Add("u16@" + p + "=0x" + (v & 0xFFFF).ToString("X"));
                            break;
                        }
                    }
                }
                description = string.Join(",", desc);
                return b;
            }
        }

        /// <summary>Fuzzes one model; returns (iterations, accepted, rejected). Fails the test on any other exception or a slow parse.</summary>
        (int, int, int) Fuzz(string name, byte[] original, int seed)
        {
            int? fromEnv = IterationsFromEnv();
            int iterations = fromEnv ?? DefaultIterations;
            TimeSpan budget = fromEnv.HasValue ? TimeSpan.MaxValue : DefaultBudgetPerModel;

            // Sanity: the unmutated model parses.
            TfliteModel.Parse(original, name);

            string failure = null;
            int done = 0, ok = 0, rejected = 0;
            var task = Task.Run(() =>
            {
                var mutator = new Mutator(original, seed);
                var total = Stopwatch.StartNew();
                var one = new Stopwatch();
                for (int it = 0; it < iterations && total.Elapsed < budget; it++)
                {
                    byte[] mutated = mutator.Next(out string how);
                    one.Restart();
                    try
                    {
                        TfliteModel.Parse(mutated, name);
                        ok++;
                    }
                    catch (TfliteFormatException e) when (e.InnerException == null)
                    {
                        rejected++;
                        if (e.Offset < -1 || e.Offset > mutated.Length)
                        {
                            failure = name + " seed " + seed + " iteration " + it + " (" + how + "): offset " + e.Offset + " outside the file: " + e.Message;
                            return;
                        }
                    }
                    catch (Exception e)
                    {
                        failure = name + " seed " + seed + " iteration " + it + " (" + how + "): " + e;
                        return;
                    }
                    if (one.Elapsed > PerParseLimit)
                    {
                        failure = name + " seed " + seed + " iteration " + it + " (" + how + "): parse took " + one.Elapsed.TotalMilliseconds + " ms";
                        return;
                    }
                    done++;
                }
            });
            TimeSpan wait = fromEnv.HasValue ? TimeSpan.FromHours(6) : budget + TimeSpan.FromSeconds(30);
            Assert.True(task.Wait(wait), name + " seed " + seed + ": fuzzing hung (a parse did not finish)");
            Assert.True(failure == null, failure);
            _out.WriteLine(name + ": " + done + " mutations, " + ok + " parsed, " + rejected + " rejected");
            Assert.True(done > 0);
            return (done, ok, rejected);
        }

        [Fact]
        public void Parse_MutatedHandBuiltModel_OnlyThrowsFormatException()
        {
            var s = TfliteMalformedTests.BuildSample();
            Fuzz("hand-built.tflite", s.Bytes, 1);
        }

        public static IEnumerable<object[]> FuzzModels() => new[]
        {
            new object[] { "models", "simple_add", 11 },
            new object[] { "models", "hello_world_int8", 12 },
            new object[] { "models", "keyword_scrambled_int8", 13 },
            new object[] { "models", "audio_preprocessor_int8", 14 },
            new object[] { "models", "micro_speech_lstm", 15 },
            new object[] { "models", "person_detection", 16 },
            new object[] { "opzoo", "conv_2d_05_k5x5_s11_d1_same_in1x14x7x3_o33_relu6", 17 },
        };

        [SkippableTheory]
        [MemberData(nameof(FuzzModels))]
        public void Parse_MutatedRealModel_OnlyThrowsFormatException(string sub, string name, int seed)
        {
            string file = Path.Combine(SharedData.Require(sub), name + ".tflite");
            Fuzz(name + ".tflite", File.ReadAllBytes(file), seed);
        }
    }
}
