using System;
using System.Collections.Generic;
using System.Text;

namespace Mote.Packer.Tests.Tflite
{
    /// <summary>
    /// Test-only flatbuffer writer with a simple forward layout (header, then each table's vtable and table, then the
    /// objects it references), recording every position so that tests can corrupt a precise byte and know the
    /// offset the reader must report. Nodes may be shared (written once).
    /// </summary>
    internal sealed class FbTestWriter
    {
        internal abstract class Node
        {
            public int Position = -1; // table start / vector or string length prefix
        }

        internal sealed class Table : Node
        {
            public readonly SortedDictionary<int, object> Fields = new SortedDictionary<int, object>();
            public int VtablePosition = -1;
            public readonly Dictionary<int, int> FieldPositions = new Dictionary<int, int>();

            public Table Set(int id, object value) { Fields[id] = value; return this; }
        }

        internal sealed class Vec : Node
        {
            public int ElementSize;
            public byte[] Raw;      // scalar vectors
            public Node[] Refs;     // vectors of tables/strings
            public int DataPosition => Position + 4;
        }

        internal sealed class Str : Node
        {
            public byte[] Utf8;
            public int DataPosition => Position + 4;
        }

        // Scalar field values: use these wrappers so that the width is explicit.
        internal readonly struct U8 { public readonly byte V; public U8(byte v) { V = v; } }
        internal readonly struct I8 { public readonly sbyte V; public I8(sbyte v) { V = v; } }
        internal readonly struct I32 { public readonly int V; public I32(int v) { V = v; } }
        internal readonly struct U32 { public readonly uint V; public U32(uint v) { V = v; } }
        internal readonly struct U64 { public readonly ulong V; public U64(ulong v) { V = v; } }
        internal readonly struct F32 { public readonly float V; public F32(float v) { V = v; } }

        public static Table T() => new Table();
        public static Str S(string s) => new Str { Utf8 = Encoding.UTF8.GetBytes(s) };
        public static Vec Ints(params int[] v)
        {
            var raw = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(raw, 4 * i);
            return new Vec { ElementSize = 4, Raw = raw };
        }
        public static Vec Floats(params float[] v)
        {
            var raw = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(raw, 4 * i);
            return new Vec { ElementSize = 4, Raw = raw };
        }
        public static Vec Longs(params long[] v)
        {
            var raw = new byte[v.Length * 8];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(raw, 8 * i);
            return new Vec { ElementSize = 8, Raw = raw };
        }
        public static Vec Bytes(params byte[] v) => new Vec { ElementSize = 1, Raw = v };
        public static Vec Refs(params Node[] nodes) => new Vec { ElementSize = 4, Refs = nodes };

        readonly List<byte> _b = new List<byte>();

        /// <summary>Writes the buffer: root uoffset, identifier, then the tree; <paramref name="trailer"/> is appended
        /// after the flatbuffer (for the large-model out-of-flatbuffer form) at a 16-aligned position.</summary>
        public byte[] Finish(Table root, string identifier = "TFL3", byte[] trailer = null)
        {
            _b.Clear();
            Put32(0);
            _b.AddRange(Encoding.ASCII.GetBytes(identifier));
            Write(root);
            Patch(0, (uint)root.Position);
            if (trailer != null)
            {
                Align(16);
                TrailerPosition = _b.Count;
                _b.AddRange(trailer);
            }
            return _b.ToArray();
        }

        public int TrailerPosition { get; private set; } = -1;

        static int SizeOf(object v) => v switch
        {
            U8 _ => 1, I8 _ => 1, bool _ => 1,
            I32 _ => 4, U32 _ => 4, F32 _ => 4,
            U64 _ => 8,
            Node _ => 4,
            _ => throw new ArgumentException("unsupported field value " + v),
        };

        void Align(int n) { while (_b.Count % n != 0) _b.Add(0); }
        void Put16(int v) { _b.Add((byte)v); _b.Add((byte)(v >> 8)); }
        void Put32(uint v) { for (int i = 0; i < 4; i++) _b.Add((byte)(v >> (8 * i))); }
        void Patch(int at, uint v) { for (int i = 0; i < 4; i++) _b[at + i] = (byte)(v >> (8 * i)); }

        void Write(Node n)
        {
            if (n.Position >= 0) return;
            switch (n)
            {
                case Table t: WriteTable(t); break;
                case Vec v: WriteVec(v); break;
                case Str s: WriteStr(s); break;
            }
        }

        void WriteTable(Table t)
        {
            // Layout inside the table: soffset at 0, then fields in id order, each aligned to its size.
            var offsets = new Dictionary<int, int>();
            int cursor = 4;
            foreach (var kv in t.Fields)
            {
                int size = SizeOf(kv.Value);
                cursor = (cursor + size - 1) / size * size;
                offsets[kv.Key] = cursor;
                cursor += size;
            }
            int inlineSize = cursor;
            int maxId = t.Fields.Count == 0 ? -1 : MaxKey(t.Fields);
            int vtSize = 4 + 2 * (maxId + 1);

            Align(2);
            // Place the vtable so that the table after it starts 8-aligned.
            while ((_b.Count + vtSize) % 8 != 0) _b.Add(0);
            t.VtablePosition = _b.Count;
            Put16(vtSize);
            Put16(inlineSize);
            for (int id = 0; id <= maxId; id++) Put16(offsets.TryGetValue(id, out int o) ? o : 0);
            t.Position = _b.Count;
            Put32((uint)(t.Position - t.VtablePosition));
            while (_b.Count < t.Position + inlineSize) _b.Add(0);
            foreach (var kv in t.Fields)
            {
                int at = t.Position + offsets[kv.Key];
                t.FieldPositions[kv.Key] = at;
                switch (kv.Value)
                {
                    case U8 x: _b[at] = x.V; break;
                    case I8 x: _b[at] = unchecked((byte)x.V); break;
                    case bool x: _b[at] = x ? (byte)1 : (byte)0; break;
                    case I32 x: Patch(at, unchecked((uint)x.V)); break;
                    case U32 x: Patch(at, x.V); break;
                    case F32 x: Patch(at, BitConverter.SingleToUInt32Bits(x.V)); break;
                    case U64 x: Patch(at, (uint)x.V); Patch(at + 4, (uint)(x.V >> 32)); break;
                }
            }
            foreach (var kv in t.Fields)
            {
                if (kv.Value is Node child)
                {
                    Write(child);
                    int at = t.FieldPositions[kv.Key];
                    Patch(at, (uint)(child.Position - at));
                }
            }
        }

        static int MaxKey(SortedDictionary<int, object> d)
        {
            int m = -1;
            foreach (int k in d.Keys) m = Math.Max(m, k);
            return m;
        }

        void WriteVec(Vec v)
        {
            Align(4);
            if (v.ElementSize == 8 && (_b.Count + 4) % 8 != 0) Put32(0);
            v.Position = _b.Count;
            if (v.Refs != null)
            {
                Put32((uint)v.Refs.Length);
                int data = _b.Count;
                foreach (var _ in v.Refs) Put32(0);
                for (int i = 0; i < v.Refs.Length; i++)
                {
                    Write(v.Refs[i]);
                    int at = data + 4 * i;
                    Patch(at, (uint)(v.Refs[i].Position - at));
                }
            }
            else
            {
                Put32((uint)(v.Raw.Length / v.ElementSize));
                _b.AddRange(v.Raw);
            }
        }

        void WriteStr(Str s)
        {
            Align(4);
            s.Position = _b.Count;
            Put32((uint)s.Utf8.Length);
            _b.AddRange(s.Utf8);
            _b.Add(0);
        }
    }
}
