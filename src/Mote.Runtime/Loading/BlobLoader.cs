using Mote.Runtime.Format;

namespace Mote.Runtime.Loading
{
    /// <summary>
    /// Loads a blob from an <see cref="IBlobSource"/> in chunks into ONE buffer the caller
    /// allocated up front (on nanoFramework: once, at boot, before the heap fragments), then hands
    /// it to <see cref="Model.Load(byte[])"/>. No other allocation of blob size happens: chunks are
    /// read straight into their final place.
    ///
    /// Steps: (1) read the 64-byte header; check the magic, header size and total length, and that
    /// the total length fits the buffer — before reading anything else, so an oversize blob fails
    /// at once, not after a minute of serial transfer; (2) read the rest in chunks of at most
    /// <c>chunkSize</c> bytes (short reads are fine); a source that ends early is Truncated;
    /// (3) check the CRC-32 over [20, total length); (4) Model.Load (which validates everything
    /// else and copies no weights: the Model keeps the buffer).
    ///
    /// RAM a device needs: this buffer (≥ the blob's total length) + the arena (Model.ArenaBytes)
    /// + the runtime state Model/Interpreter allocate at load (docs/memory.md, "Runtime state").
    /// </summary>
    public static class BlobLoader
    {
        /// <summary>Chunk size when none is given: small enough for a serial driver's buffer.</summary>
        public const int DefaultChunkSize = 512;

        /// <summary>Loads and validates a blob; the returned Model reads <paramref name="buffer"/>, which must stay untouched.</summary>
        public static Model Load(IBlobSource source, byte[] buffer)
        {
            ReadInto(source, buffer, DefaultChunkSize);
            return Model.Load(buffer);
        }

        /// <summary>As <see cref="Load(IBlobSource, byte[])"/> with a chosen chunk size (bytes per Read call, ≥ 1).</summary>
        public static Model Load(IBlobSource source, byte[] buffer, int chunkSize)
        {
            ReadInto(source, buffer, chunkSize);
            return Model.Load(buffer);
        }

        /// <summary>
        /// Steps 1–3 only: fills <paramref name="buffer"/> from the source and returns the blob's total
        /// length (bytes after it in the buffer are left as they were; nothing past it is read from the source).
        /// </summary>
        public static int ReadInto(IBlobSource source, byte[] buffer, int chunkSize)
        {
            if (source == null) throw new System.ArgumentNullException("source");
            if (buffer == null) throw new System.ArgumentNullException("buffer");
            if (chunkSize < 1) throw new System.ArgumentOutOfRangeException("chunkSize", "chunk size must be at least 1");
            if (buffer.Length < BlobFormat.HeaderSize)
                throw new BlobLoadException(BlobLoadError.TooLarge, 0, BlobFormat.HeaderSize,
                    "the buffer is " + buffer.Length + " bytes, smaller than the 64-byte header");

            ReadExactly(source, buffer, 0, BlobFormat.HeaderSize, chunkSize, BlobFormat.HeaderSize);
            if (buffer[0] != (byte)'M' || buffer[1] != (byte)'O' || buffer[2] != (byte)'T' || buffer[3] != (byte)'E')
                throw new BlobLoadException(BlobLoadError.NotABlob, BlobFormat.HeaderSize, 0, "magic is not \"MOTE\" (not a .mote blob)");
            if (LittleEndian.ReadInt32(buffer, BlobFormat.OffHeaderSize) != BlobFormat.HeaderSize)
                throw new BlobLoadException(BlobLoadError.NotABlob, BlobFormat.HeaderSize, BlobFormat.HeaderSize, "header size is not 64");
            uint total = LittleEndian.ReadUInt32(buffer, BlobFormat.OffTotalLength);
            if (total < BlobFormat.HeaderSize)
                throw new BlobLoadException(BlobLoadError.NotABlob, BlobFormat.HeaderSize, total,
                    "total length " + total + " is smaller than the 64-byte header");
            if (total > (uint)buffer.Length)
                throw new BlobLoadException(BlobLoadError.TooLarge, BlobFormat.HeaderSize, total,
                    "the blob is " + total + " bytes but the buffer holds " + buffer.Length + "; allocate at least " + total + " bytes");

            int length = (int)total;
            ReadExactly(source, buffer, BlobFormat.HeaderSize, length - BlobFormat.HeaderSize, chunkSize, length);

            uint expected = LittleEndian.ReadUInt32(buffer, BlobFormat.OffCrc);
            uint actual = Crc32.Compute(buffer, BlobFormat.CrcStart, length - BlobFormat.CrcStart);
            if (actual != expected)
                throw new BlobLoadException(BlobLoadError.CrcMismatch, length, expected,
                    "CRC-32 mismatch: header says 0x" + expected.ToString("X8") + ", the " + length + " bytes received give 0x" + actual.ToString("X8"));
            return length;
        }

        static void ReadExactly(IBlobSource source, byte[] buffer, int offset, int count, int chunkSize, int total)
        {
            int end = offset + count;
            while (offset < end)
            {
                int ask = end - offset;
                if (ask > chunkSize) ask = chunkSize;
                int got = source.Read(buffer, offset, ask);
                if (got < 0 || got > ask)
                    throw new BlobLoadException(BlobLoadError.SourceError, offset, ask,
                        "the source returned " + got + " for a read of " + ask + " bytes at offset " + offset);
                if (got == 0)
                    throw new BlobLoadException(BlobLoadError.Truncated, offset, total,
                        "the source ended after " + offset + " of " + total + " bytes (truncated blob or transfer)");
                offset += got;
            }
        }
    }
}
