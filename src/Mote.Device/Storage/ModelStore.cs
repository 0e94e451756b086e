using System;
using Mote.Runtime.Format;

namespace Mote.Device.Storage
{
    /// <summary>
    /// Two model slots (A/B) on an <see cref="IFlash"/>, power-cut safe.
    ///
    /// Layout: the flash is split in two equal slots; each starts with a 32-byte header
    ///   magic "MSLT" | generation u32 | length u32 | blob CRC-32 u32 | reserved 12 | header CRC-32 u32
    /// followed by the blob. An update (1) erases the inactive slot's header first (so a
    /// half-written slot can never look valid), (2) writes the blob in chunks at increasing
    /// offsets, (3) reads the whole blob back and checks its CRC against the one announced,
    /// and only then (4) writes the header with generation = active + 1. At boot each slot is
    /// valid when magic, header CRC, length bound and blob CRC all check; the valid slot with
    /// the highest generation wins. The active slot is never written during an update, so a
    /// power cut at any byte leaves either the old model or (after step 4 completed) the new one.
    /// </summary>
    public sealed class ModelStore
    {
        public const int HeaderBytes = 32;
        const uint Magic = 0x544C534D; // "MSLT" little-endian
        readonly IFlash flash;
        readonly int slotSize;
        readonly byte[] header = new byte[HeaderBytes];
        readonly byte[] scratch = new byte[256];
        int active = -1;
        uint activeGeneration;
        int activeLength;
        uint activeCrc;

        // Upload in progress (RAM only: after a reset the host starts over).
        int uploadSlot = -1, uploadLength, uploadNext;
        uint uploadCrc;

        public ModelStore(IFlash flash)
        {
            if (flash == null) throw new ArgumentNullException("flash");
            this.flash = flash;
            slotSize = flash.Size / 2;
            if (slotSize <= HeaderBytes) throw new ArgumentException("flash too small for two slots");
        }

        /// <summary>Largest blob a slot holds.</summary>
        public int Capacity { get { return slotSize - HeaderBytes; } }
        /// <summary>Active slot (0 = A, 1 = B) or -1 when none is valid.</summary>
        public int ActiveSlot { get { return active; } }
        public uint ActiveGeneration { get { return activeGeneration; } }
        public int ActiveLength { get { return activeLength; } }
        public uint ActiveCrc { get { return activeCrc; } }
        public bool UploadInProgress { get { return uploadSlot >= 0; } }
        public int UploadNextOffset { get { return uploadNext; } }
        public uint UploadCrc { get { return uploadCrc; } }
        public int UploadLength { get { return uploadLength; } }

        /// <summary>Scans both slots and selects the newest valid one. Returns the active slot or -1.</summary>
        public int Boot()
        {
            active = -1;
            activeGeneration = 0;
            activeLength = 0;
            activeCrc = 0;
            uploadSlot = -1;
            for (int s = 0; s < 2; s++)
            {
                uint gen, crc;
                int len;
                if (!ReadHeader(s, out gen, out len, out crc)) continue;
                if (BlobCrc(s, len) != crc) continue;
                if (active < 0 || gen > activeGeneration)
                {
                    active = s;
                    activeGeneration = gen;
                    activeLength = len;
                    activeCrc = crc;
                }
            }
            return active;
        }

        /// <summary>Reads the active blob into a new array (load time, not steady state).</summary>
        public byte[] ReadActive()
        {
            if (active < 0) return null;
            byte[] blob = new byte[activeLength];
            flash.Read(SlotBase(active) + HeaderBytes, blob, 0, activeLength);
            return blob;
        }

        /// <summary>
        /// Starts (or resumes) an upload of <paramref name="length"/> bytes whose CRC-32 is
        /// <paramref name="crc"/>. Resuming the same (length, crc) keeps the bytes already written;
        /// returns the offset the host should send next, or -1 when the blob is too large.
        /// </summary>
        public int BeginUpload(int length, uint crc)
        {
            if (length <= 0 || length > Capacity) return -1;
            if (uploadSlot >= 0 && length == uploadLength && crc == uploadCrc) return uploadNext;
            uploadSlot = active == 0 ? 1 : 0;
            uploadLength = length;
            uploadCrc = crc;
            uploadNext = 0;
            // Invalidate the target's header before touching its data.
            flash.Erase(SlotBase(uploadSlot), HeaderBytes);
            flash.Erase(SlotBase(uploadSlot) + HeaderBytes, length);
            return 0;
        }

        /// <summary>
        /// Writes a chunk at <paramref name="offset"/>. Offsets must be contiguous: a chunk at the
        /// expected offset is written, one entirely before it (a duplicate) is accepted and ignored,
        /// anything else is refused. Returns the next expected offset, or -1 when refused.
        /// </summary>
        public int WriteChunk(int offset, byte[] data, int start, int count)
        {
            if (uploadSlot < 0) return -1;
            if (offset + count <= uploadNext && offset >= 0) return uploadNext; // duplicate
            if (offset != uploadNext || count < 0 || offset + count > uploadLength) return -1;
            flash.Write(SlotBase(uploadSlot) + HeaderBytes + offset, data, start, count);
            uploadNext += count;
            return uploadNext;
        }

        /// <summary>
        /// Verifies the uploaded blob (complete, CRC of the whole blob as stored) and marks it
        /// active. Returns a <see cref="Protocol.Status"/> code.
        /// </summary>
        public int Commit()
        {
            if (uploadSlot < 0) return Protocol.Status.NoUpload;
            if (uploadNext != uploadLength) return Protocol.Status.BadOffset;
            if (BlobCrc(uploadSlot, uploadLength) != uploadCrc) { uploadSlot = -1; return Protocol.Status.CrcMismatch; }
            uint gen = active >= 0 ? activeGeneration + 1 : 1;
            LittleEndian.WriteInt32(header, 0, (int)Magic);
            LittleEndian.WriteInt32(header, 4, (int)gen);
            LittleEndian.WriteInt32(header, 8, uploadLength);
            LittleEndian.WriteInt32(header, 12, (int)uploadCrc);
            for (int i = 16; i < 28; i++) header[i] = 0;
            LittleEndian.WriteInt32(header, 28, (int)Crc32.Compute(header, 0, 28));
            flash.Write(SlotBase(uploadSlot), header, 0, HeaderBytes);
            active = uploadSlot;
            activeGeneration = gen;
            activeLength = uploadLength;
            activeCrc = uploadCrc;
            uploadSlot = -1;
            return Protocol.Status.Ok;
        }

        /// <summary>
        /// Reads the completely uploaded (not yet committed) blob into a new array, so the caller
        /// can validate it as a model before <see cref="Commit"/>; null when incomplete.
        /// </summary>
        public byte[] ReadUpload()
        {
            if (uploadSlot < 0 || uploadNext != uploadLength) return null;
            byte[] blob = new byte[uploadLength];
            flash.Read(SlotBase(uploadSlot) + HeaderBytes, blob, 0, uploadLength);
            return blob;
        }

        /// <summary>Abandons the upload in progress (the active slot is untouched).</summary>
        public void AbortUpload() { uploadSlot = -1; }

        int SlotBase(int slot) { return slot * slotSize; }

        bool ReadHeader(int slot, out uint gen, out int length, out uint crc)
        {
            flash.Read(SlotBase(slot), header, 0, HeaderBytes);
            gen = LittleEndian.ReadUInt32(header, 4);
            length = LittleEndian.ReadInt32(header, 8);
            crc = LittleEndian.ReadUInt32(header, 12);
            if (LittleEndian.ReadUInt32(header, 0) != Magic) return false;
            if (LittleEndian.ReadUInt32(header, 28) != Crc32.Compute(header, 0, 28)) return false;
            return length > 0 && length <= Capacity;
        }

        /// <summary>CRC-32 of a slot's blob, read through a small buffer (no blob-sized allocation).</summary>
        uint BlobCrc(int slot, int length)
        {
            uint crc = 0xFFFFFFFFu;
            int address = SlotBase(slot) + HeaderBytes;
            for (int done = 0; done < length;)
            {
                int n = length - done < scratch.Length ? length - done : scratch.Length;
                flash.Read(address + done, scratch, 0, n);
                crc = Crc32Update(crc, scratch, 0, n);
                done += n;
            }
            return crc ^ 0xFFFFFFFFu;
        }

        /// <summary>Streaming CRC-32 (same polynomial as <see cref="Crc32"/>), bitwise.</summary>
        public static uint Crc32Update(uint crc, byte[] data, int start, int count)
        {
            for (int i = start; i < start + count; i++)
            {
                crc ^= data[i];
                for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
            }
            return crc;
        }
    }
}
