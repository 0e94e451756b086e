using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Mote.Packer.Tflite
{
    /// <summary>
    /// A small, bounds-checked FlatBuffers reader (little-endian wire format). Every access is checked against
    /// the buffer before it is made; anything out of range, misaligned or inconsistent throws
    /// <see cref="TfliteFormatException"/> carrying the byte offset and the schema path of the item.
    /// It never recurses on its own: callers walk a fixed schema, so a hostile file cannot make the walk deeper.
    /// Because offsets may be shared (a DAG), a malicious file could make a walker visit the same bytes over and
    /// over; a work budget (bytes visited/copied plus a fixed cost per object, default 16x the file size + 1 MiB) bounds the total effort.
    /// </summary>
    public sealed class FlatBufferReader
    {
        readonly byte[] _data;
        long _budgetLeft;

        // Fixed work charged per object on top of its bytes, so that many references to one tiny object also
        // exhaust the budget (each visit allocates an object in the caller).
        const int TableVisitCost = 32, VectorVisitCost = 16, StringVisitCost = 16;

        /// <summary>Work charged so far (bytes visited or copied plus a fixed cost per table, vector and string).</summary>
        public long WorkDone => WorkBudget - _budgetLeft;

        /// <summary>Largest total of bytes visited or copied before the reader gives up.</summary>
        public long WorkBudget { get; }

        public string FileName { get; }

        public int Length => _data.Length;

        public FlatBufferReader(byte[] data, string fileName, long workBudget = -1)
        {
            _data = data ?? throw new ArgumentNullException(nameof(data));
            FileName = fileName ?? "";
            WorkBudget = workBudget >= 0 ? workBudget : 16L * data.Length + (1L << 20);
            _budgetLeft = WorkBudget;
        }

        /// <summary>Builds the exception for a problem at <paramref name="offset"/> (or -1) and <paramref name="path"/>.</summary>
        public TfliteFormatException Error(long offset, string path, string detail) =>
            new TfliteFormatException(FileName, offset, path, detail);

        /// <summary>Appends a field name to a path ("" + "subgraphs" = "subgraphs").</summary>
        public static string Child(string path, string name) =>
            string.IsNullOrEmpty(path) ? name : path + "." + name;

        /// <summary>Appends an element index to a path.</summary>
        public static string Element(string path, int index) =>
            (path ?? "") + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

        /// <summary>Deducts <paramref name="bytes"/> from the work budget; throws once it is exhausted.</summary>
        public void Charge(long bytes, long offset, string path)
        {
            if (bytes < 0) bytes = 0;
            _budgetLeft -= bytes;
            if (_budgetLeft < 0)
                throw Error(offset, path,
                    "the file's offsets make the reader visit more than " + WorkBudget.ToString(CultureInfo.InvariantCulture) +
                    " bytes for a " + _data.Length.ToString(CultureInfo.InvariantCulture) +
                    "-byte file (the same data referenced over and over?)");
        }

        // ---------------------------------------------------------------- raw checked access

        /// <summary>Throws unless [pos, pos+size) lies inside the buffer and pos is a multiple of <paramref name="align"/>.</summary>
        public void CheckRange(long pos, long size, int align, string path, string what)
        {
            if (pos < 0 || size < 0 || pos > _data.Length || size > _data.Length - pos)
                throw Error(pos, path, what + " (" + size.ToString(CultureInfo.InvariantCulture) + " bytes at 0x" +
                                       pos.ToString("X", CultureInfo.InvariantCulture) + ") lies outside the " +
                                       _data.Length.ToString(CultureInfo.InvariantCulture) + "-byte file");
            if (align > 1 && (pos & (align - 1)) != 0)
                throw Error(pos, path, what + " is misaligned (offset not a multiple of " + align.ToString(CultureInfo.InvariantCulture) + ")");
        }

        public byte ReadByte(long pos, string path)
        {
            CheckRange(pos, 1, 1, path, "byte");
            return _data[pos];
        }

        public ushort ReadUInt16(long pos, string path)
        {
            CheckRange(pos, 2, 2, path, "16-bit value");
            return BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_data, (int)pos, 2));
        }

        public int ReadInt32(long pos, string path)
        {
            CheckRange(pos, 4, 4, path, "32-bit value");
            return BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(_data, (int)pos, 4));
        }

        public uint ReadUInt32(long pos, string path)
        {
            CheckRange(pos, 4, 4, path, "32-bit value");
            return BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(_data, (int)pos, 4));
        }

        public long ReadInt64(long pos, string path)
        {
            CheckRange(pos, 8, 8, path, "64-bit value");
            return BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(_data, (int)pos, 8));
        }

        /// <summary>Copies [pos, pos+size) after checking bounds and charging the work budget.</summary>
        public byte[] Copy(long pos, long size, string path, string what)
        {
            CheckRange(pos, size, 1, path, what);
            Charge(size, pos, path);
            var result = new byte[size];
            Buffer.BlockCopy(_data, (int)pos, result, 0, (int)size);
            return result;
        }

        /// <summary>Read-only view of [pos, pos+size) after checking bounds.</summary>
        public ReadOnlySpan<byte> Span(long pos, long size, string path, string what)
        {
            CheckRange(pos, size, 1, path, what);
            return new ReadOnlySpan<byte>(_data, (int)pos, (int)size);
        }

        // ---------------------------------------------------------------- flatbuffer structure

        /// <summary>The 4-character file identifier (bytes 4..7), or null when the file is shorter than 8 bytes.</summary>
        public string FileIdentifier()
        {
            if (_data.Length < 8) return null;
            var sb = new StringBuilder(4);
            for (int i = 4; i < 8; i++)
            {
                byte b = _data[i];
                sb.Append(b >= 0x20 && b < 0x7F ? (char)b : '?');
            }
            return sb.ToString();
        }

        /// <summary>True when bytes 4..7 equal the identifier exactly.</summary>
        public bool HasIdentifier(string identifier)
        {
            if (identifier == null || identifier.Length != 4 || _data.Length < 8) return false;
            for (int i = 0; i < 4; i++)
                if (_data[4 + i] != (byte)identifier[i]) return false;
            return true;
        }

        /// <summary>The root table (uoffset at byte 0).</summary>
        public FbTable Root(string path = "")
        {
            if (_data.Length < 8)
                throw Error(0, path, "file is too small (" + _data.Length.ToString(CultureInfo.InvariantCulture) + " bytes) to hold a flatbuffer");
            return Table(FollowOffset(0, path, "root table offset"), path);
        }

        /// <summary>Reads the uoffset stored at <paramref name="pos"/> and returns the absolute position it points to.</summary>
        public int FollowOffset(long pos, string path, string what)
        {
            uint rel = ReadUInt32(pos, path);
            long target = pos + rel;
            if (rel == 0)
                throw Error(pos, path, what + " is 0 (points at itself)");
            if (target >= _data.Length)
                throw Error(pos, path, what + " 0x" + rel.ToString("X", CultureInfo.InvariantCulture) + " points to 0x" +
                                       target.ToString("X", CultureInfo.InvariantCulture) + ", past the end of the " +
                                       _data.Length.ToString(CultureInfo.InvariantCulture) + "-byte file");
            return (int)target;
        }

        /// <summary>Verifies the table at <paramref name="pos"/> (its vtable and inline size) and returns a view of it.</summary>
        public FbTable Table(int pos, string path)
        {
            CheckRange(pos, 4, 4, path, "table");
            int soffset = ReadInt32(pos, path);
            long vt = (long)pos - soffset;
            if (vt < 0 || vt > _data.Length - 4L)
                throw Error(pos, path, "vtable offset " + soffset.ToString(CultureInfo.InvariantCulture) + " puts the vtable at " +
                                       vt.ToString(CultureInfo.InvariantCulture) + ", outside the " +
                                       _data.Length.ToString(CultureInfo.InvariantCulture) + "-byte file");
            if ((vt & 1) != 0)
                throw Error(vt, path, "vtable is misaligned (odd offset)");
            int vtSize = ReadUInt16(vt, path);
            int inlineSize = ReadUInt16(vt + 2, path);
            if (vtSize < 4 || (vtSize & 1) != 0)
                throw Error(vt, path, "vtable size " + vtSize.ToString(CultureInfo.InvariantCulture) + " is invalid (must be even and at least 4)");
            if (vt + vtSize > _data.Length)
                throw Error(vt, path, "vtable of " + vtSize.ToString(CultureInfo.InvariantCulture) + " bytes runs past the end of the " +
                                      _data.Length.ToString(CultureInfo.InvariantCulture) + "-byte file");
            if (inlineSize < 4)
                throw Error(vt + 2, path, "table size " + inlineSize.ToString(CultureInfo.InvariantCulture) + " is smaller than 4");
            if ((long)pos + inlineSize > _data.Length)
                throw Error(vt + 2, path, "table of " + inlineSize.ToString(CultureInfo.InvariantCulture) + " bytes at 0x" +
                                          pos.ToString("X", CultureInfo.InvariantCulture) + " runs past the end of the " +
                                          _data.Length.ToString(CultureInfo.InvariantCulture) + "-byte file");
            Charge(TableVisitCost + inlineSize + vtSize, pos, path);
            return new FbTable(this, pos, (int)vt, vtSize, inlineSize, path);
        }

        /// <summary>Verifies the vector whose length prefix is at <paramref name="pos"/>; elements must fit in the file
        /// (checked before anything is allocated) and be aligned to their size.</summary>
        public FbVector Vector(int pos, int elementSize, string path)
        {
            if (elementSize <= 0 || elementSize > 8 || (elementSize & (elementSize - 1)) != 0)
                throw new ArgumentOutOfRangeException(nameof(elementSize));
            uint count = ReadUInt32(pos, path);
            long dataPos = (long)pos + 4;
            long left = _data.Length - dataPos;
            if ((long)count * elementSize > left)
                throw Error(pos, path, "vector length " + count.ToString(CultureInfo.InvariantCulture) +
                                       (elementSize > 1 ? " (x " + elementSize.ToString(CultureInfo.InvariantCulture) + " bytes)" : "") +
                                       " exceeds the " + left.ToString(CultureInfo.InvariantCulture) + " bytes left in the file");
            if (elementSize > 4 && (dataPos & (elementSize - 1)) != 0)
                throw Error(pos, path, "vector of " + elementSize.ToString(CultureInfo.InvariantCulture) + "-byte elements is misaligned");
            Charge(VectorVisitCost + 4 + (long)count * elementSize, pos, path);
            return new FbVector(this, pos, (int)dataPos, (int)count, elementSize, path);
        }

        /// <summary>Reads the string whose length prefix is at <paramref name="pos"/> (UTF-8, must be 0-terminated inside the file).</summary>
        public string String(int pos, string path)
        {
            uint count = ReadUInt32(pos, path);
            long dataPos = (long)pos + 4;
            long left = _data.Length - dataPos;
            if (count >= left) // needs count bytes plus the terminating 0
                throw Error(pos, path, "string length " + count.ToString(CultureInfo.InvariantCulture) +
                                       " (plus its terminating 0) exceeds the " + Math.Max(0, left).ToString(CultureInfo.InvariantCulture) +
                                       " bytes left in the file");
            if (_data[dataPos + count] != 0)
                throw Error(dataPos + count, path, "string of length " + count.ToString(CultureInfo.InvariantCulture) + " is not 0-terminated");
            Charge(StringVisitCost + 5 + (long)count, pos, path);
            return Encoding.UTF8.GetString(_data, (int)dataPos, (int)count);
        }
    }

    /// <summary>A verified table: its vtable and inline bytes lie inside the buffer. Field accessors check each field.</summary>
    public readonly struct FbTable
    {
        public FlatBufferReader Reader { get; }
        /// <summary>Absolute position of the table (its soffset to the vtable).</summary>
        public int Position { get; }
        public int VtablePosition { get; }
        public int VtableSize { get; }
        public int InlineSize { get; }
        public string Path { get; }

        internal FbTable(FlatBufferReader reader, int position, int vtable, int vtableSize, int inlineSize, string path)
        {
            Reader = reader;
            Position = position;
            VtablePosition = vtable;
            VtableSize = vtableSize;
            InlineSize = inlineSize;
            Path = path ?? "";
        }

        public string ChildPath(string name) => FlatBufferReader.Child(Path, name);

        /// <summary>Offset of the field inside the table per the vtable, 0 when absent.</summary>
        public int FieldOffset(int id)
        {
            if (id < 0) throw new ArgumentOutOfRangeException(nameof(id));
            long slot = 4 + 2L * id;
            if (slot + 2 > VtableSize) return 0;
            return Reader.ReadUInt16(VtablePosition + slot, Path);
        }

        public bool Has(int id) => FieldOffset(id) != 0;

        /// <summary>Absolute position of a field of <paramref name="size"/> bytes, or -1 when absent. The field must lie
        /// inside the table's inline bytes and be aligned to its size.</summary>
        public int FieldPosition(int id, int size, string name)
        {
            int off = FieldOffset(id);
            if (off == 0) return -1;
            if (off < 4 || off + size > InlineSize)
                throw Reader.Error(VtablePosition + 4 + 2L * id, ChildPath(name),
                    "field offset " + off.ToString(CultureInfo.InvariantCulture) + " (+" + size.ToString(CultureInfo.InvariantCulture) +
                    " bytes) lies outside its " + InlineSize.ToString(CultureInfo.InvariantCulture) + "-byte table");
            long pos = (long)Position + off;
            if (size > 1 && (pos & (size - 1)) != 0)
                throw Reader.Error(pos, ChildPath(name), "field is misaligned (offset not a multiple of " + size.ToString(CultureInfo.InvariantCulture) + ")");
            return (int)pos;
        }

        ReadOnlySpan<byte> Field(int id, int size, string name)
        {
            int pos = FieldPosition(id, size, name);
            return pos < 0 ? ReadOnlySpan<byte>.Empty : Reader.Span(pos, size, ChildPath(name), "field");
        }

        public byte GetByte(int id, string name, byte defaultValue = 0)
        {
            var s = Field(id, 1, name);
            return s.IsEmpty ? defaultValue : s[0];
        }

        public sbyte GetSByte(int id, string name, sbyte defaultValue = 0)
        {
            var s = Field(id, 1, name);
            return s.IsEmpty ? defaultValue : unchecked((sbyte)s[0]);
        }

        public bool GetBool(int id, string name, bool defaultValue = false)
        {
            var s = Field(id, 1, name);
            return s.IsEmpty ? defaultValue : s[0] != 0;
        }

        public short GetInt16(int id, string name, short defaultValue = 0)
        {
            var s = Field(id, 2, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadInt16LittleEndian(s);
        }

        public ushort GetUInt16(int id, string name, ushort defaultValue = 0)
        {
            var s = Field(id, 2, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadUInt16LittleEndian(s);
        }

        public int GetInt32(int id, string name, int defaultValue = 0)
        {
            var s = Field(id, 4, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadInt32LittleEndian(s);
        }

        public uint GetUInt32(int id, string name, uint defaultValue = 0)
        {
            var s = Field(id, 4, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadUInt32LittleEndian(s);
        }

        public long GetInt64(int id, string name, long defaultValue = 0)
        {
            var s = Field(id, 8, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadInt64LittleEndian(s);
        }

        public ulong GetUInt64(int id, string name, ulong defaultValue = 0)
        {
            var s = Field(id, 8, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadUInt64LittleEndian(s);
        }

        public float GetFloat(int id, string name, float defaultValue = 0f)
        {
            var s = Field(id, 4, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadSingleLittleEndian(s);
        }

        public double GetDouble(int id, string name, double defaultValue = 0d)
        {
            var s = Field(id, 8, name);
            return s.IsEmpty ? defaultValue : BinaryPrimitives.ReadDoubleLittleEndian(s);
        }

        /// <summary>Position the offset field points to, or -1 when absent.</summary>
        public int GetReferencePosition(int id, string name)
        {
            int pos = FieldPosition(id, 4, name);
            return pos < 0 ? -1 : Reader.FollowOffset(pos, ChildPath(name), "offset");
        }

        /// <summary>The sub-table, or null when absent.</summary>
        public FbTable? GetTable(int id, string name)
        {
            int target = GetReferencePosition(id, name);
            return target < 0 ? (FbTable?)null : Reader.Table(target, ChildPath(name));
        }

        /// <summary>The string, or null when absent.</summary>
        public string GetString(int id, string name)
        {
            int target = GetReferencePosition(id, name);
            return target < 0 ? null : Reader.String(target, ChildPath(name));
        }

        /// <summary>The vector (check <see cref="FbVector.IsPresent"/>).</summary>
        public FbVector GetVector(int id, string name, int elementSize)
        {
            int target = GetReferencePosition(id, name);
            return target < 0 ? default : Reader.Vector(target, elementSize, ChildPath(name));
        }

        public byte[] GetBytes(int id, string name) => GetVector(id, name, 1).ToByteArray();
        public bool[] GetBoolVector(int id, string name) => GetVector(id, name, 1).ToBoolArray();
        public int[] GetInt32Vector(int id, string name) => GetVector(id, name, 4).ToInt32Array();
        public float[] GetFloatVector(int id, string name) => GetVector(id, name, 4).ToFloatArray();
        public long[] GetInt64Vector(int id, string name) => GetVector(id, name, 8).ToInt64Array();
        public string[] GetStringVector(int id, string name) => GetVector(id, name, 4).ToStringArray();
        public FbTable[] GetTableVector(int id, string name) => GetVector(id, name, 4).ToTableArray();

        /// <summary>A union: type byte at <paramref name="typeId"/>, value table at <paramref name="valueId"/> (= typeId + 1 in schemas).
        /// Type 0 (NONE) yields no table; a non-zero type without a value yields a null table.</summary>
        public FbUnion GetUnion(int typeId, int valueId, string name)
        {
            byte type = GetByte(typeId, name + "_type");
            if (type == 0) return new FbUnion(0, null);
            return new FbUnion(type, GetTable(valueId, name));
        }
    }

    public readonly struct FbUnion
    {
        public byte Type { get; }
        public FbTable? Value { get; }
        public FbUnion(byte type, FbTable? value) { Type = type; Value = value; }
    }

    /// <summary>A verified vector: its length prefix and all its elements lie inside the buffer.</summary>
    public readonly struct FbVector
    {
        public FlatBufferReader Reader { get; }
        /// <summary>Position of the 32-bit length prefix.</summary>
        public int Position { get; }
        public int DataPosition { get; }
        public int Count { get; }
        public int ElementSize { get; }
        public string Path { get; }
        public bool IsPresent => Reader != null;

        internal FbVector(FlatBufferReader reader, int position, int dataPosition, int count, int elementSize, string path)
        {
            Reader = reader;
            Position = position;
            DataPosition = dataPosition;
            Count = count;
            ElementSize = elementSize;
            Path = path ?? "";
        }

        int ElementPosition(int index)
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            return DataPosition + index * ElementSize;
        }

        ReadOnlySpan<byte> Elements(int elementSize)
        {
            if (!IsPresent) return ReadOnlySpan<byte>.Empty;
            if (ElementSize != elementSize) throw new InvalidOperationException("vector element size is " + ElementSize);
            return Reader.Span(DataPosition, (long)Count * ElementSize, Path, "vector");
        }

        public byte[] ToByteArray() => Elements(1).ToArray();

        public bool[] ToBoolArray()
        {
            var s = Elements(1);
            var r = new bool[s.Length];
            for (int i = 0; i < r.Length; i++) r[i] = s[i] != 0;
            return r;
        }

        public int[] ToInt32Array()
        {
            var s = Elements(4);
            var r = new int[s.Length / 4];
            for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadInt32LittleEndian(s.Slice(4 * i, 4));
            return r;
        }

        public float[] ToFloatArray()
        {
            var s = Elements(4);
            var r = new float[s.Length / 4];
            for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadSingleLittleEndian(s.Slice(4 * i, 4));
            return r;
        }

        public long[] ToInt64Array()
        {
            var s = Elements(8);
            var r = new long[s.Length / 8];
            for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadInt64LittleEndian(s.Slice(8 * i, 8));
            return r;
        }

        /// <summary>Element <paramref name="index"/> of a vector of tables.</summary>
        public FbTable GetTable(int index)
        {
            int pos = ElementPosition(index);
            string path = FlatBufferReader.Element(Path, index);
            return Reader.Table(Reader.FollowOffset(pos, path, "offset"), path);
        }

        /// <summary>Element <paramref name="index"/> of a vector of strings.</summary>
        public string GetString(int index)
        {
            int pos = ElementPosition(index);
            string path = FlatBufferReader.Element(Path, index);
            return Reader.String(Reader.FollowOffset(pos, path, "offset"), path);
        }

        public FbTable[] ToTableArray()
        {
            if (!IsPresent) return Array.Empty<FbTable>();
            if (ElementSize != 4) throw new InvalidOperationException("vector element size is " + ElementSize);
            var r = new FbTable[Count];
            for (int i = 0; i < r.Length; i++) r[i] = GetTable(i);
            return r;
        }

        public string[] ToStringArray()
        {
            if (!IsPresent) return Array.Empty<string>();
            if (ElementSize != 4) throw new InvalidOperationException("vector element size is " + ElementSize);
            var r = new string[Count];
            for (int i = 0; i < r.Length; i++) r[i] = GetString(i);
            return r;
        }
    }
}
