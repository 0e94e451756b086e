using System;
using System.Linq;
using Mote.Device.Protocol;
using Mote.Device.Storage;
using Mote.Runtime.Format;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Device.Tests
{
    sealed class PowerCut : Exception { }

    /// <summary>Flash that loses power after a budget of written/erased bytes: the cut write is torn (a prefix lands).</summary>
    sealed class CuttingFlash : IFlash
    {
        public readonly RamFlash Inner;
        public long Budget = long.MaxValue;
        public CuttingFlash(RamFlash inner) => Inner = inner;
        public int Size => Inner.Size;
        public void Read(int a, byte[] b, int s, int c) => Inner.Read(a, b, s, c);
        public void Write(int a, byte[] b, int s, int c)
        {
            if (c > Budget) { Inner.Write(a, b, s, (int)Budget); Budget = 0; throw new PowerCut(); }
            Budget -= c; Inner.Write(a, b, s, c);
        }
        public void Erase(int a, int c)
        {
            if (c > Budget) { Inner.Erase(a, (int)Budget); Budget = 0; throw new PowerCut(); }
            Budget -= c; Inner.Erase(a, c);
        }
    }

    public class ModelStoreTests
    {
        readonly ITestOutputHelper output;
        public ModelStoreTests(ITestOutputHelper output) => this.output = output;

        const int Chunk = 200;

        static byte[] Blob(int seed, int len) { var b = new byte[len]; new Random(seed).NextBytes(b); return b; }

        static void Upload(ModelStore s, byte[] blob)
        {
            uint crc = Crc32.Compute(blob, 0, blob.Length);
            int next = s.BeginUpload(blob.Length, crc);
            while (next < blob.Length)
            {
                int n = Math.Min(Chunk, blob.Length - next);
                next = s.WriteChunk(next, blob, next, n);
                Assert.True(next > 0);
            }
            Assert.Equal(Status.Ok, s.Commit());
        }

        static void AssertBoots(IFlash flash, params byte[][] allowed)
        {
            var s = new ModelStore(flash);
            Assert.True(s.Boot() >= 0, "no valid slot after the cut");
            var got = s.ReadActive();
            Assert.Contains(allowed, a => a.SequenceEqual(got));
        }

        [Fact]
        public void Upload_SwitchesSlots_AndNewestWinsAtBoot()
        {
            var f = new RamFlash(8192);
            var s = new ModelStore(f);
            Assert.Equal(-1, s.Boot());
            var a = Blob(1, 1000); var b = Blob(2, 1500); var c = Blob(3, 700);
            Upload(s, a); Assert.Equal(0, s.ActiveSlot);
            Upload(s, b); Assert.Equal(1, s.ActiveSlot);
            Upload(s, c); Assert.Equal(0, s.ActiveSlot);
            var r = new ModelStore(f);
            Assert.Equal(0, r.Boot());
            Assert.Equal(3u, r.ActiveGeneration);
            Assert.Equal(c, r.ReadActive());
        }

        [Fact]
        public void Resume_KeepsWrittenBytes_DuplicatesIgnored_GapsRefused_BadCrcNotCommitted()
        {
            var s = new ModelStore(new RamFlash(8192));
            s.Boot();
            var a = Blob(1, 1000);
            uint crc = Crc32.Compute(a, 0, a.Length);
            Assert.Equal(0, s.BeginUpload(a.Length, crc));
            Assert.Equal(200, s.WriteChunk(0, a, 0, 200));
            Assert.Equal(200, s.BeginUpload(a.Length, crc));          // resume
            Assert.Equal(200, s.WriteChunk(0, a, 0, 200));            // duplicate
            Assert.Equal(-1, s.WriteChunk(400, a, 400, 200));         // gap
            Assert.Equal(1000, s.WriteChunk(200, a, 200, 800));
            Assert.Equal(Status.Ok, s.Commit());
            var bad = Blob(2, 500);
            s.BeginUpload(bad.Length, 12345);
            s.WriteChunk(0, bad, 0, bad.Length);
            Assert.Equal(Status.CrcMismatch, s.Commit());
            Assert.Equal(a, s.ReadActive());
            Assert.Equal(-1, s.BeginUpload(100000, 1));
        }

        /// <summary>
        /// Power cut at every chunk boundary and at random byte offsets (of the flash writes and
        /// erases) during an upload, from an empty store, one model and two models: the store
        /// always boots a valid model — the old one, or the new one once its header is written.
        /// </summary>
        [Fact]
        public void PowerCut_AnywhereDuringUpload_AlwaysBootsOldOrNewModel()
        {
            var old1 = Blob(10, 1800); var old2 = Blob(11, 1200); var next = Blob(12, 1900);
            // Bytes written by one whole upload: erase header + erase data + data + header.
            long total = ModelStore.HeaderBytes + next.Length + next.Length + ModelStore.HeaderBytes;
            var cuts = Enumerable.Range(0, (int)(total / Chunk) + 2).Select(i => (long)i * Chunk)
                .Concat(new[] { 1L, ModelStore.HeaderBytes - 1L, ModelStore.HeaderBytes, total - 1, total - ModelStore.HeaderBytes })
                .Concat(Enumerable.Range(0, 200).Select(i => (long)new Random(i).Next((int)total))).Distinct().ToArray();
            int oldWins = 0, newWins = 0;
            foreach (int before in new[] { 1, 2 })
                foreach (long cut in cuts)
                {
                    var ram = new RamFlash(4096 * 2);
                    var s = new ModelStore(ram);
                    s.Boot();
                    Upload(s, old1);
                    if (before == 2) Upload(s, old2);
                    byte[] current = before == 2 ? old2 : old1;
                    var flash = new CuttingFlash(ram) { Budget = cut };
                    var t = new ModelStore(flash);
                    t.Boot();
                    bool completed = true;
                    try { Upload(t, next); } catch (PowerCut) { completed = false; }
                    var r = new ModelStore(ram);
                    Assert.True(r.Boot() >= 0);
                    var got = r.ReadActive();
                    if (completed) Assert.Equal(next, got);
                    else Assert.True(got.SequenceEqual(current) || got.SequenceEqual(next), $"cut at {cut}: neither model");
                    if (got.SequenceEqual(next)) newWins++; else oldWins++;
                }
            output.WriteLine($"{cuts.Length * 2} power cuts ({cuts.Length} offsets x 1 or 2 earlier models): old model booted {oldWins}, new {newWins}, invalid 0");
            Assert.True(oldWins > 0 && newWins > 0);
        }
    }
}
