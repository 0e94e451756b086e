using System;
using System.Collections.Generic;
using Mote.Runtime.Format;

namespace Mote.Runtime.Tests
{
    /// <summary>
    /// Writes a minimal .mote blob by hand from docs/blob-format.md (independently of the packer's
    /// BlobWriter): one FULLY_CONNECTED layer, input int8 [1,2] → output int8 [1,2], weights
    /// [[1, 2], [3, -1]] (constant), no bias, multiplier 0.5 × 2^1 per channel, zero points 0,
    /// so output = W · input. <see cref="ExtraTensors"/> unused constant tensors can be appended
    /// (to show that load-time state does not grow with the tensor count). With
    /// <see cref="RequantStride"/> set, the operator has format 1.2's eighth parameter word (the
    /// requantization stride); stride 0 stores the multiplier and shift once (one shared entry).
    /// </summary>
    public sealed class TinyBlob
    {
        public int ExtraTensors;
        public int WeightsLayout;
        public int ArenaBytes = 32;
        /// <summary>The header's minor version (1 by default: the 7-word form is valid in 1.0, 1.1 and 1.2).</summary>
        public int MinorVersion = 1;
        /// <summary>null: 7 parameter words (per-channel tables); 0 or 1 (or any value, to test the loader): the stride word.</summary>
        public int? RequantStride;
        /// <summary>Absolute blob offsets of the tables and the stride word, set by <see cref="Build"/>.</summary>
        public int MultipliersAt, ShiftsAt, StrideWordAt;

        public const int InputTensor = 0, WeightsTensor = 1, OutputTensor = 2;

        public byte[] Build()
        {
            int tensorCount = 3 + ExtraTensors;
            // Sections in order: TENSORS, OPERATORS, INDICES, PARAMS, IO, CONSTANTS.
            var sections = new List<(int kind, int length, int count)>
            {
                (BlobFormat.SectionTensors, 64 * tensorCount, tensorCount),
                (BlobFormat.SectionOperators, 32, 1),
                (BlobFormat.SectionIndices, 2 * 4, 4),
                (BlobFormat.SectionParams, 4 * ParamWords, ParamWords),
                (BlobFormat.SectionIo, 4 * 4, 4),
                (BlobFormat.SectionConstants, 32, 32),
            };
            int at = Align(64 + 16 * sections.Count);
            var starts = new int[sections.Count];
            for (int i = 0; i < sections.Count; i++)
            {
                starts[i] = at;
                at = Align(at + sections[i].length);
            }
            var b = new byte[at];
            b[0] = 0x4D; b[1] = 0x4F; b[2] = 0x54; b[3] = 0x45;
            LittleEndian.WriteUInt16(b, 4, 1);
            LittleEndian.WriteUInt16(b, 6, MinorVersion);
            LittleEndian.WriteInt32(b, 8, 64);
            LittleEndian.WriteInt32(b, 12, b.Length);
            LittleEndian.WriteInt32(b, 24, ArenaBytes);
            LittleEndian.WriteInt32(b, 28, sections.Count);
            LittleEndian.WriteInt32(b, 32, 64);
            LittleEndian.WriteInt32(b, 36, WeightsLayout);
            for (int i = 0; i < sections.Count; i++)
            {
                int e = 64 + 16 * i;
                LittleEndian.WriteInt32(b, e, sections[i].kind);
                LittleEndian.WriteInt32(b, e + 4, starts[i]);
                LittleEndian.WriteInt32(b, e + 8, sections[i].length);
                LittleEndian.WriteInt32(b, e + 12, sections[i].count);
            }
            int tensors = starts[0], ops = starts[1], indices = starts[2], words = starts[3], io = starts[4], constants = starts[5];
            // Per-channel tables: 2 multipliers at +16, 2 shifts at +24. Shared (stride 0): one each, at +16 and +20.
            bool shared = RequantStride == 0;
            int weights = constants, multipliers = constants + 16, shifts = constants + (shared ? 20 : 24);
            MultipliersAt = multipliers;
            ShiftsAt = shifts;
            StrideWordAt = RequantStride.HasValue ? words + 4 * 7 : -1;

            Tensor(b, tensors, InputTensor, DataType.Int8, new[] { 1, 2 }, BlobFormat.StorageArena, 0, 2);
            Tensor(b, tensors, WeightsTensor, DataType.Int8, new[] { 2, 2 }, BlobFormat.StorageConstant, weights, 4);
            Tensor(b, tensors, OutputTensor, DataType.Int8, new[] { 1, 2 }, BlobFormat.StorageArena, 16, 2);
            for (int t = 3; t < tensorCount; t++)
                Tensor(b, tensors, t, DataType.Int8, new[] { 2, 2 }, BlobFormat.StorageConstant, weights, 4);

            LittleEndian.WriteUInt16(b, ops, OpCode.FullyConnected);
            b[ops + 2] = 3; // inputs
            b[ops + 3] = 1; // outputs
            LittleEndian.WriteInt32(b, ops + 4, 0); // first INDICES entry
            LittleEndian.WriteInt32(b, ops + 8, 0); // first PARAMS word
            LittleEndian.WriteInt32(b, ops + 12, ParamWords);
            LittleEndian.WriteInt32(b, ops + 16, 0);
            LittleEndian.WriteInt32(b, ops + 20, 9); // TFLite FULLY_CONNECTED

            short[] list = { InputTensor, WeightsTensor, -1, OutputTensor };
            for (int k = 0; k < list.Length; k++) LittleEndian.WriteUInt16(b, indices + 2 * k, (ushort)list[k]);

            // input_offset, filter_offset, output_offset, act_min, act_max, multiplier table, shift table
            // (format 1.2: requantization stride)
            int[] p = RequantStride.HasValue
                ? new[] { 0, 0, 0, -128, 127, multipliers, shifts, RequantStride.Value }
                : new[] { 0, 0, 0, -128, 127, multipliers, shifts };
            for (int k = 0; k < p.Length; k++) LittleEndian.WriteInt32(b, words + 4 * k, p[k]);

            int[] ioWords = { 1, 1, InputTensor, OutputTensor };
            for (int k = 0; k < ioWords.Length; k++) LittleEndian.WriteInt32(b, io + 4 * k, ioWords[k]);

            b[weights] = 1; b[weights + 1] = 2; b[weights + 2] = 3; b[weights + 3] = unchecked((byte)-1);
            LittleEndian.WriteInt32(b, multipliers, 1 << 30);
            LittleEndian.WriteInt32(b, shifts, 1);
            if (!shared)
            {
                LittleEndian.WriteInt32(b, multipliers + 4, 1 << 30);
                LittleEndian.WriteInt32(b, shifts + 4, 1);
            }

            Seal(b);
            return b;
        }

        int ParamWords => RequantStride.HasValue ? 8 : 7;

        /// <summary>Rewrites the header CRC after an edit.</summary>
        public static void Seal(byte[] b)
        {
            LittleEndian.WriteInt32(b, 16, (int)Crc32.Compute(b, 20, b.Length - 20));
        }

        static int Align(int n) => (n + 15) & ~15;

        static void Tensor(byte[] b, int section, int index, int dtype, int[] shape, int storage, int start, int bytes)
        {
            int r = section + 64 * index;
            b[r] = (byte)dtype;
            b[r + 1] = (byte)shape.Length;
            b[r + 2] = (byte)storage;
            for (int d = 0; d < shape.Length; d++) LittleEndian.WriteInt32(b, r + 4 + 4 * d, shape[d]);
            LittleEndian.WriteInt32(b, r + 28, start);
            LittleEndian.WriteInt32(b, r + 32, bytes);
            LittleEndian.WriteInt32(b, r + 36, 0);
            BitConverter.GetBytes(0.1f).CopyTo(b, r + 40);
            LittleEndian.WriteInt32(b, r + 44, -1);
            LittleEndian.WriteInt32(b, r + 48, 0);
            LittleEndian.WriteInt32(b, r + 52, -1); // no name
            LittleEndian.WriteInt32(b, r + 56, index);
        }
    }
}
