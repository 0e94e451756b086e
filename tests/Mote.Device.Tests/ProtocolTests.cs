using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Device.Protocol;
using Mote.Runtime.Format;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Device.Tests
{
    public class ProtocolTests
    {
        readonly ITestOutputHelper output;
        public ProtocolTests(ITestOutputHelper output) => this.output = output;

        static int FuzzIterations => int.TryParse(Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 3000;

        [Fact]
        public void Cobs_RoundTrips_AllBlockBoundaries_AndHasNoZeros()
        {
            var rng = new Random(8);
            foreach (int len in new[] { 0, 1, 2, 253, 254, 255, 256, 508, 509, 510, 1000 })
                foreach (double zeros in new[] { 0.0, 0.1, 1.0 })
                {
                    var src = new byte[len];
                    for (int i = 0; i < len; i++) src[i] = rng.NextDouble() < zeros ? (byte)0 : (byte)rng.Next(1, 256);
                    var enc = new byte[Cobs.MaxEncodedLength(len)];
                    int n = Cobs.Encode(src, 0, len, enc, 0);
                    Assert.True(n <= enc.Length);
                    Assert.DoesNotContain((byte)0, enc.Take(n));
                    var dec = new byte[n];
                    int m = Cobs.Decode(enc, 0, n, dec, 0);
                    Assert.Equal(src, dec.Take(m).ToArray());
                }
        }

        static byte[] Frame(FrameEncoder e, byte type, byte[] payload)
        {
            e.Begin(type);
            e.PutBytes(payload, 0, payload.Length);
            int n = e.Finish();
            return e.Buffer.Take(n).ToArray();
        }

        static List<(byte Type, int Seq, byte[] Payload)> DecodeAll(FrameDecoder d, IEnumerable<byte> bytes, Dictionary<int, int> outcomes = null)
        {
            var list = new List<(byte, int, byte[])>();
            foreach (byte b in bytes)
            {
                int r = d.Push(b);
                if (outcomes != null) outcomes[r] = outcomes.GetValueOrDefault(r) + 1;
                if (r == DecodeResult.Frame)
                    list.Add((d.Type, d.Sequence, d.Payload.Skip(d.PayloadStart).Take(d.PayloadLength).ToArray()));
            }
            return list;
        }

        [Fact]
        public void Frames_RoundTrip_WithSequenceNumbers()
        {
            var e = new FrameEncoder(300);
            var d = new FrameDecoder(300);
            var rng = new Random(1);
            var sent = new List<byte[]>();
            var wire = new List<byte>();
            for (int i = 0; i < 50; i++)
            {
                var p = new byte[rng.Next(0, 301)];
                rng.NextBytes(p);
                sent.Add(p);
                wire.AddRange(Frame(e, (byte)(i % 5), p));
            }
            var got = DecodeAll(d, wire);
            Assert.Equal(50, got.Count);
            for (int i = 0; i < 50; i++)
            {
                Assert.Equal(i, got[i].Seq);
                Assert.Equal((byte)(i % 5), got[i].Type);
                Assert.Equal(sent[i], got[i].Payload);
            }
        }

        [Fact]
        public void Decoder_ResyncsAfterGarbage_AndRejectsOversizedFrames()
        {
            var e = new FrameEncoder(100);
            var d = new FrameDecoder(100);
            var rng = new Random(2);
            var garbage = new byte[5000];
            rng.NextBytes(garbage);
            var good = Frame(e, 7, new byte[] { 1, 2, 3 });
            var got = DecodeAll(d, garbage.Concat(good));
            // Garbage can only produce a frame with a matching CRC-32 (2^-32 per candidate).
            Assert.Equal(new byte[] { 1, 2, 3 }, got.Last().Payload);
            var big = new FrameEncoder(1000);
            var outcomes = new Dictionary<int, int>();
            got = DecodeAll(d, Frame(big, 1, new byte[500]).Concat(good), outcomes);
            Assert.Single(got);
            Assert.Equal(1, outcomes[DecodeResult.Overflow]);
        }

        /// <summary>
        /// Fuzz: every frame of a stream is damaged (bit flips, truncation, dropped/duplicated/
        /// inserted bytes) or left intact. No damaged frame may be accepted, every intact frame
        /// that follows a delimiter must be delivered, and the decoder never throws.
        /// </summary>
        [Fact]
        public void Fuzz_DamagedFrames_AreNeverAccepted_IntactOnesAlwaysAre()
        {
            var e = new FrameEncoder(256);
            var d = new FrameDecoder(256);
            var rng = new Random(3);
            int damaged = 0, intact = 0, accepted = 0, wrong = 0;
            var outcomes = new Dictionary<int, int>();
            for (int it = 0; it < FuzzIterations; it++)
            {
                var p = new byte[rng.Next(0, 257)];
                rng.NextBytes(p);
                var f = Frame(e, (byte)rng.Next(256), p).ToList();
                int kind = rng.Next(5);
                if (kind == 1) { int i = rng.Next(f.Count); f[i] ^= (byte)(1 << rng.Next(8)); }
                else if (kind == 2) f.RemoveRange(1 + rng.Next(f.Count - 2), 1); // drop one byte
                else if (kind == 3) { int i = 1 + rng.Next(f.Count - 2); f.Insert(i, f[i]); } // duplicate
                else if (kind == 4) f = f.Take(1 + rng.Next(f.Count - 2)).ToList(); // truncate (loses at least the last data byte and the delimiter)
                bool changed = kind != 0;
                var got = DecodeAll(d, f, outcomes);
                if (!changed)
                {
                    intact++;
                    Assert.Single(got);
                    Assert.Equal(p, got[0].Payload);
                    accepted++;
                }
                else
                {
                    damaged++;
                    foreach (var g in got) if (!g.Payload.SequenceEqual(p)) wrong++;
                }
            }
            output.WriteLine($"{intact} intact frames all delivered, {damaged} damaged frames, {wrong} accepted corrupted; decoder outcomes: "
                + string.Join(", ", outcomes.OrderBy(k => k.Key).Select(k => $"{k.Key}:{k.Value}")));
            Assert.Equal(intact, accepted);
            Assert.Equal(0, wrong);
        }

        [Fact]
        public void Fuzz_RandomBytes_NeverThrow()
        {
            var d = new FrameDecoder(64);
            var rng = new Random(4);
            var buf = new byte[FuzzIterations * 20];
            rng.NextBytes(buf);
            for (int i = 0; i < buf.Length; i++) if (rng.Next(30) == 0) buf[i] = 0;
            foreach (byte b in buf) d.Push(b);
            output.WriteLine($"{buf.Length} random bytes: {d.Frames} frames, {d.CrcErrors} CRC, {d.CobsErrors} COBS, {d.ShortFrames} short, {d.Overflows} overflow");
            Assert.Equal(0, d.Frames);
        }
    }
}
