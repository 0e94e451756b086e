using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Mote.Packer.Blob;
using Mote.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// Issue 4's flash target: for every shared model Mote packs, the .mote blob is at most the size of
    /// the .tflite it came from. The table (docs/memory.md, "Flash") also shows the blob with every
    /// requantization table per channel (the format 1.1 form), to show what the shared entry saves.
    /// </summary>
    public class FlashTargetTests
    {
        readonly ITestOutputHelper log;

        public FlashTargetTests(ITestOutputHelper log) { this.log = log; }

        [SkippableFact]
        public void BlobBytes_EverySharedModelThatPacks_AtMostTfliteBytes()
        {
            SharedData.Require("models");
            var rows = new List<(string model, long tflite, long perChannel, long blob)>();
            var notPacked = new List<string>();
            foreach (var path in SharedData.ListOrEmpty("models", "*.tflite"))
            {
                string model = Path.GetFileNameWithoutExtension(path);
                PackResult packed;
                try { packed = SharedModels.Pack(path); }
                catch (PackException) { notPacked.Add(model); continue; }
                long perChannel = BlobWriter.Write(packed.Graph, shareRequantization: false).Length;
                rows.Add((model, new FileInfo(path).Length, perChannel, packed.Blob.Length));
            }

            var table = new StringBuilder();
            table.AppendLine($"{"model",-24} {"tflite B",9} {"blob 1.1 form B",16} {"blob B",9} {"blob / tflite",13}");
            foreach (var r in rows)
                table.AppendLine($"{r.model,-24} {r.tflite,9:N0} {r.perChannel,16:N0} {r.blob,9:N0} {(double)r.blob / r.tflite,13:F3}");
            table.AppendLine($"not packed (unsupported ops or types): {string.Join(", ", notPacked)}");
            log.WriteLine(table.ToString());

            // Every model in scope must be in the table: a model the importer stops packing would otherwise drop out silently.
            var missing = SharedModels.InScope.Except(rows.Select(r => r.model)).ToList();
            Assert.True(missing.Count == 0, "in-scope models that did not pack: " + string.Join(", ", missing));
            var over = rows.Where(r => r.blob > r.tflite).Select(r => $"{r.model}: blob {r.blob} B > tflite {r.tflite} B").ToList();
            Assert.True(over.Count == 0, "blob larger than its .tflite:\n" + string.Join("\n", over) + "\n" + table);
        }
    }
}
