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
    }
}
