using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Mote.Packer.Graph;
using Mote.Runtime.Format;

namespace Mote.Packer.Blob
{
    /// <summary>
    /// Writes a planned <see cref="PackGraph"/> as a .mote blob v1.2 (docs/blob-format.md).
    /// Section order: TENSORS, OPERATORS, INDICES, PARAMS, IO, STRINGS, SCALES, CONSTANTS
    /// (constants last, each block 16-aligned, in operator order so a kernel streams through flash).
    /// A CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED whose channels all requantize alike (per-tensor
    /// weights) gets one shared multiplier and shift and format 1.2's stride word 0
    /// (<see cref="SharesRequantization"/>); every other operator is written in the 1.0/1.1 form, so a
    /// blob without such layers (and without 1.1 op codes) still loads on older runtimes.
    /// The graph is not modified.
    /// </summary>
    public static class BlobWriter
    {
        sealed class Section
        {
            public int Kind;
            public byte[] Bytes = Array.Empty<byte>();
            public int Count;
            public int Offset;
        }

        static int Align(int v) => (v + BlobFormat.Alignment - 1) & ~(BlobFormat.Alignment - 1);

        /// <summary>
        /// Whether the writer stores <paramref name="op"/>'s requantization as one entry shared by all
        /// channels (parameter word <see cref="OpCode.RequantStrideWord"/> = 0): the op has that word,
        /// more than one output channel, and every channel's (multiplier, shift) equals channel 0's —
        /// what per-tensor weights give. With one channel the per-channel table is already one entry.
        /// </summary>
        public static bool SharesRequantization(PackOperator op)
        {
            int[] m = op.Multipliers, s = op.Shifts;
            if (OpCode.RequantStrideWord(op.Code) != op.Params.Length || m == null || s == null || m.Length != s.Length || m.Length < 2)
                return false;
            for (int c = 1; c < m.Length; c++)
                if (m[c] != m[0] || s[c] != s[0]) return false;
            return true;
        }

        /// <summary>Bytes <paramref name="op"/>'s multiplier and shift tables take in CONSTANTS (before 16-byte alignment).</summary>
        public static int RequantizationTableBytes(PackOperator op) =>
            SharesRequantization(op) ? 8 : 4 * ((op.Multipliers?.Length ?? 0) + (op.Shifts?.Length ?? 0));

        /// <summary>Writes the blob.</summary>
        /// <param name="g">a planned graph (every activation has its arena offset).</param>
        /// <param name="shareRequantization">
        /// false writes every table per channel (the 1.1 form; for tests that compare the two encodings).
        /// </param>
        public static byte[] Write(PackGraph g, bool shareRequantization = true)
        {
            // Each operator's parameter words as written: its own, plus the stride word when shared;
            // table words are patched below (the graph's arrays are left as they are).
            var opParams = new int[g.Operators.Count][];
            var shared = new bool[g.Operators.Count];
            for (int i = 0; i < g.Operators.Count; i++)
            {
                var op = g.Operators[i];
                shared[i] = shareRequantization && SharesRequantization(op);
                opParams[i] = new int[op.Params.Length + (shared[i] ? 1 : 0)];
                Array.Copy(op.Params, opParams[i], op.Params.Length);
                // opParams[i][RequantStrideWord] stays 0 when shared: one entry for all channels.
            }

            // ---- CONSTANTS: tensor data and requantization tables, 16-aligned blocks, relative offsets first.
            var constants = new MemoryStream();
            var constOffset = new Dictionary<int, int>();          // tensor -> offset inside CONSTANTS
            var tableOffset = new List<(int op, int word, int rel)>();
            void Pad() { while (constants.Length % BlobFormat.Alignment != 0) constants.WriteByte(0); }
            void PutTensor(int t)
            {
                if (t < 0 || !g.Tensors[t].IsConstant || constOffset.ContainsKey(t)) return;
                Pad();
                constOffset[t] = (int)constants.Length;
                constants.Write(g.Tensors[t].Data);
            }
            void PutTable(int op, int word, int[] values, int count)
            {
                if (values == null || word < 0) return;
                Pad();
                tableOffset.Add((op, word, (int)constants.Length));
                var buf = new byte[4 * count];
                for (int i = 0; i < count; i++) LittleEndian.WriteInt32(buf, 4 * i, values[i]);
                constants.Write(buf);
            }
            for (int i = 0; i < g.Operators.Count; i++)
            {
                var op = g.Operators[i];
                foreach (int t in op.Inputs) PutTensor(t);
                PutTable(i, op.MultiplierWord, op.Multipliers, shared[i] ? 1 : op.Multipliers?.Length ?? 0);
                PutTable(i, op.ShiftWord, op.Shifts, shared[i] ? 1 : op.Shifts?.Length ?? 0);
            }
            Pad();

            // ---- STRINGS and SCALES
            var strings = new MemoryStream();
            var scales = new List<float>();
            var nameOffset = new int[g.Tensors.Count];
            var scaleIndex = new int[g.Tensors.Count];
            for (int i = 0; i < g.Tensors.Count; i++)
            {
                var t = g.Tensors[i];
                nameOffset[i] = (int)strings.Length;
                strings.Write(Encoding.UTF8.GetBytes(t.Name ?? ""));
                strings.WriteByte(0);
                scaleIndex[i] = t.Scales.Length > 1 ? scales.Count : -1;
                if (t.Scales.Length > 1) scales.AddRange(t.Scales);
            }

            // ---- INDICES, PARAMS, IO
            var indices = new List<short>();
            var words = new List<int>();
            var opFirstIndex = new int[g.Operators.Count];
            var opFirstWord = new int[g.Operators.Count];
            for (int i = 0; i < g.Operators.Count; i++)
            {
                var op = g.Operators[i];
                opFirstIndex[i] = indices.Count;
                foreach (int t in op.Inputs) indices.Add(checked((short)t));
                foreach (int t in op.Outputs) indices.Add(checked((short)t));
                opFirstWord[i] = words.Count;
                words.AddRange(opParams[i]);
            }
            var io = new List<int> { g.Inputs.Length, g.Outputs.Length };
            io.AddRange(g.Inputs);
            io.AddRange(g.Outputs);

            var sections = new List<Section>
            {
                new() { Kind = BlobFormat.SectionTensors, Bytes = new byte[g.Tensors.Count * BlobFormat.TensorRecordSize], Count = g.Tensors.Count },
                new() { Kind = BlobFormat.SectionOperators, Bytes = new byte[g.Operators.Count * BlobFormat.OperatorRecordSize], Count = g.Operators.Count },
                new() { Kind = BlobFormat.SectionIndices, Bytes = ToBytes(indices), Count = indices.Count },
                new() { Kind = BlobFormat.SectionParams, Bytes = new byte[4 * words.Count], Count = words.Count },
                new() { Kind = BlobFormat.SectionIo, Bytes = ToBytes(io), Count = io.Count },
                new() { Kind = BlobFormat.SectionStrings, Bytes = strings.ToArray(), Count = (int)strings.Length },
                new() { Kind = BlobFormat.SectionScales, Bytes = ToBytes(scales), Count = scales.Count },
                new() { Kind = BlobFormat.SectionConstants, Bytes = constants.ToArray(), Count = (int)constants.Length },
            };
            // SCALES is optional (§3): a model without per-channel scales (e.g. a tiny int16 QUANTIZE, whose
            // .tflite is 408 bytes) would otherwise pay a 16-byte table entry for an empty section.
            if (scales.Count == 0) sections.RemoveAll(x => x.Kind == BlobFormat.SectionScales);
            int offset = Align(BlobFormat.HeaderSize + sections.Count * BlobFormat.SectionEntrySize);
            foreach (var s in sections)
            {
                s.Offset = offset;
                offset = Align(offset + s.Bytes.Length);
            }
            int total = offset;
            var constSection = sections[^1];

            // Patch table words with absolute offsets, then fill PARAMS.
            foreach (var (op, word, rel) in tableOffset) opParams[op][word] = constSection.Offset + rel;
            var paramsSection = sections[3];
            for (int i = 0; i < g.Operators.Count; i++)
                for (int k = 0; k < opParams[i].Length; k++)
                    LittleEndian.WriteInt32(paramsSection.Bytes, 4 * (opFirstWord[i] + k), opParams[i][k]);

            // Tensor records.
            var tensorBytes = sections[0].Bytes;
            for (int i = 0; i < g.Tensors.Count; i++)
            {
                var t = g.Tensors[i];
                int r = i * BlobFormat.TensorRecordSize;
                if (t.Shape.Length > BlobFormat.MaxRank)
                    throw new PackException($"{t.Describe}: rank {t.Shape.Length} exceeds the blob's maximum of {BlobFormat.MaxRank}");
                tensorBytes[r] = (byte)t.DataType;
                tensorBytes[r + 1] = (byte)t.Shape.Length;
                tensorBytes[r + 2] = (byte)(t.IsConstant ? BlobFormat.StorageConstant : BlobFormat.StorageArena);
                tensorBytes[r + BlobFormat.TensorFlagsOffset] = (byte)(t.IsVariable ? BlobFormat.TensorFlagVariable : 0);
                for (int d = 0; d < t.Shape.Length; d++) LittleEndian.WriteInt32(tensorBytes, r + 4 + 4 * d, t.Shape[d]);
                int start;
                if (t.IsConstant)
                {
                    if (!constOffset.TryGetValue(i, out int rel))
                    {
                        // A constant no operator reads (kept for its record only): store it anyway.
                        throw new PackException($"{t.Describe}: constant tensor is not read by any operator");
                    }
                    start = constSection.Offset + rel;
                }
                else
                {
                    if (t.ArenaOffset < 0) throw new PackException($"{t.Describe}: activation tensor has no arena offset (not planned)");
                    start = t.ArenaOffset;
                }
                LittleEndian.WriteInt32(tensorBytes, r + 28, start);
                LittleEndian.WriteInt32(tensorBytes, r + 32, t.Bytes);
                LittleEndian.WriteInt32(tensorBytes, r + 36, t.ZeroPoint);
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(new Span<byte>(tensorBytes, r + 40, 4), t.Scales.Length > 0 ? t.Scales[0] : 0f);
                LittleEndian.WriteInt32(tensorBytes, r + 44, scaleIndex[i]);
                LittleEndian.WriteInt32(tensorBytes, r + 48, t.Scales.Length > 1 ? t.Scales.Length : 0);
                LittleEndian.WriteInt32(tensorBytes, r + 52, nameOffset[i]);
                LittleEndian.WriteInt32(tensorBytes, r + 56, t.SourceIndex);
            }

            // Operator records.
            var opBytes = sections[1].Bytes;
            for (int i = 0; i < g.Operators.Count; i++)
            {
                var op = g.Operators[i];
                int r = i * BlobFormat.OperatorRecordSize;
                LittleEndian.WriteUInt16(opBytes, r, op.Code);
                opBytes[r + 2] = checked((byte)op.Inputs.Length);
                opBytes[r + 3] = checked((byte)op.Outputs.Length);
                LittleEndian.WriteInt32(opBytes, r + 4, opFirstIndex[i]);
                LittleEndian.WriteInt32(opBytes, r + 8, opFirstWord[i]);
                LittleEndian.WriteInt32(opBytes, r + 12, opParams[i].Length);
                LittleEndian.WriteInt32(opBytes, r + 16, op.SourceIndex);
                LittleEndian.WriteInt32(opBytes, r + 20, op.SourceBuiltinCode);
            }

            // Assemble.
            var blob = new byte[total];
            blob[0] = 0x4D; blob[1] = 0x4F; blob[2] = 0x54; blob[3] = 0x45;
            LittleEndian.WriteUInt16(blob, BlobFormat.OffMajor, BlobFormat.MajorVersion);
            LittleEndian.WriteUInt16(blob, BlobFormat.OffMinor, BlobFormat.MinorVersion);
            LittleEndian.WriteInt32(blob, BlobFormat.OffHeaderSize, BlobFormat.HeaderSize);
            LittleEndian.WriteInt32(blob, BlobFormat.OffTotalLength, total);
            LittleEndian.WriteInt32(blob, BlobFormat.OffFlags, 0);
            LittleEndian.WriteInt32(blob, BlobFormat.OffArenaBytes, g.ArenaBytes);
            LittleEndian.WriteInt32(blob, BlobFormat.OffSectionCount, sections.Count);
            LittleEndian.WriteInt32(blob, BlobFormat.OffSectionTable, BlobFormat.HeaderSize);
            LittleEndian.WriteInt32(blob, BlobFormat.OffWeightsLayout, 0);
            for (int i = 0; i < sections.Count; i++)
            {
                var s = sections[i];
                int e = BlobFormat.HeaderSize + i * BlobFormat.SectionEntrySize;
                LittleEndian.WriteInt32(blob, e, s.Kind);
                LittleEndian.WriteInt32(blob, e + 4, s.Offset);
                LittleEndian.WriteInt32(blob, e + 8, s.Bytes.Length);
                LittleEndian.WriteInt32(blob, e + 12, s.Count);
                Buffer.BlockCopy(s.Bytes, 0, blob, s.Offset, s.Bytes.Length);
            }
            Seal(blob);
            return blob;
        }

        /// <summary>Recomputes the header CRC (used by the writer and by tests that edit a blob on purpose).</summary>
        public static void Seal(byte[] blob)
        {
            int total = LittleEndian.ReadInt32(blob, BlobFormat.OffTotalLength);
            uint crc = Crc32.Compute(blob, BlobFormat.CrcStart, total - BlobFormat.CrcStart);
            LittleEndian.WriteInt32(blob, BlobFormat.OffCrc, unchecked((int)crc));
        }

        static byte[] ToBytes(List<short> v)
        {
            var b = new byte[2 * v.Count];
            for (int i = 0; i < v.Count; i++) LittleEndian.WriteUInt16(b, 2 * i, v[i]);
            return b;
        }

        static byte[] ToBytes(List<int> v)
        {
            var b = new byte[4 * v.Count];
            for (int i = 0; i < v.Count; i++) LittleEndian.WriteInt32(b, 4 * i, v[i]);
            return b;
        }

        static byte[] ToBytes(List<float> v)
        {
            var b = new byte[4 * v.Count];
            for (int i = 0; i < v.Count; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(new Span<byte>(b, 4 * i, 4), v[i]);
            return b;
        }
    }
}
