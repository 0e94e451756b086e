using System;
using Mote.Packer.Blob;
using Mote.Runtime;
using Mote.Runtime.Format;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>Reading and patching a packed blob's raw bytes in tests (docs/blob-format.md §2–§5).</summary>
    internal static class BlobBytes
    {
        /// <summary>Absolute offset of the section of <paramref name="kind"/> (throws when the blob has none).</summary>
        public static int Section(byte[] b, int kind) => LittleEndian.ReadInt32(b, SectionEntry(b, kind) + 4);

        /// <summary>Record/element count of the section of <paramref name="kind"/>.</summary>
        public static int SectionCount(byte[] b, int kind) => LittleEndian.ReadInt32(b, SectionEntry(b, kind) + 12);

        static int SectionEntry(byte[] b, int kind)
        {
            int count = LittleEndian.ReadInt32(b, BlobFormat.OffSectionCount);
            for (int i = 0; i < count; i++)
            {
                int e = BlobFormat.HeaderSize + BlobFormat.SectionEntrySize * i;
                if (LittleEndian.ReadInt32(b, e) == kind) return e;
            }
            throw new InvalidOperationException("no section " + kind);
        }

        /// <summary>Absolute offset of operator <paramref name="op"/>'s 32-byte record.</summary>
        public static int OperatorRecord(byte[] b, int op) => Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * op;

        /// <summary>
        /// One fuzz step on an already mutated blob: reseal it, load it and, when it loads, invoke it once.
        /// Returns true when it loaded and ran, false when Model.Load rejected it with a MoteFormatException;
        /// any other exception (from Load or from Invoke of a blob that loaded) fails the test, naming the iteration.
        /// </summary>
        public static bool SealLoadInvoke(byte[] b, int iteration)
        {
            BlobWriter.Seal(b);
            Model m;
            try { m = Model.Load(b); }
            catch (MoteFormatException) { return false; }
            catch (Exception ex) { throw new Exception($"iteration {iteration}: Load threw {ex.GetType().Name}: {ex.Message}", ex); }
            try { new Interpreter(m).Invoke(); return true; }
            catch (Exception ex) { throw new Exception($"iteration {iteration}: a blob that loaded failed in Invoke: {ex}", ex); }
        }

        /// <summary>
        /// The blob fuzz the per-op blob tests share: <paramref name="iterations"/> copies of <paramref name="original"/>,
        /// each with 1..3 random edits — a PARAMS word (an <paramref name="interesting"/> value or a small random one), a
        /// tensor dimension, a tensor dtype (when <paramref name="mutateDtypes"/>) or an INDICES entry — resealed, loaded and,
        /// when it loads, invoked (<see cref="SealLoadInvoke"/>). Every blob must be rejected with MoteFormatException or run;
        /// both outcomes must occur (a fuzz that only ever rejects tests nothing).
        /// </summary>
        public static void FuzzParamsShapesAndIndices(byte[] original, int seed, int iterations, int[] interesting, bool mutateDtypes)
        {
            int paramsStart = Section(original, BlobFormat.SectionParams);
            int paramsWords = SectionCount(original, BlobFormat.SectionParams);
            int tensors = Section(original, BlobFormat.SectionTensors);
            int tensorCount = SectionCount(original, BlobFormat.SectionTensors);
            int indices = Section(original, BlobFormat.SectionIndices);
            int indexCount = SectionCount(original, BlobFormat.SectionIndices);
            var rng = new Random(seed);
            int loaded = 0, rejected = 0;
            for (int iter = 0; iter < iterations; iter++)
            {
                var b = (byte[])original.Clone();
                for (int e = 1 + rng.Next(3); e > 0; e--)
                {
                    int value = rng.Next(3) == 0 ? rng.Next(-300, 300) : interesting[rng.Next(interesting.Length)];
                    int kind = rng.Next(mutateDtypes ? 5 : 4);
                    if (kind <= 1) LittleEndian.WriteInt32(b, paramsStart + 4 * rng.Next(paramsWords), value);
                    else if (kind == 2) LittleEndian.WriteInt32(b, tensors + 64 * rng.Next(tensorCount) + 4 + 4 * rng.Next(6), rng.Next(-1, 9));
                    else if (kind == 3 && mutateDtypes) b[tensors + 64 * rng.Next(tensorCount)] = (byte)rng.Next(0, 8);
                    else LittleEndian.WriteUInt16(b, indices + 2 * rng.Next(indexCount), (ushort)rng.Next(-2, tensorCount + 1));
                }
                if (SealLoadInvoke(b, iter)) loaded++;
                else rejected++;
            }
            Xunit.Assert.True(loaded > 0 && rejected > 0, $"degenerate fuzz mix: {loaded} loaded, {rejected} rejected");
        }

        /// <summary>MOTE_FUZZ_ITERATIONS when set, else <paramref name="fallback"/>.</summary>
        public static int FuzzIterations(int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS"), out int n) ? n : fallback;
    }
}
