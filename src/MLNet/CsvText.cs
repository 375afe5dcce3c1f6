using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GiGpoNet.MLNet;

/// <summary>
/// A CSV table held as text, loaded as an <see cref="IDataView"/> whose columns are named by its header: numbers as Single (an empty
/// cell is NaN), the named text columns as text. Files written by other versions, with more or fewer columns, load by name.
/// </summary>
internal sealed class CsvText(string text) : IMultiStreamSource
{
    public int Count => 1;

    public string? GetPathOrNull(int index) => null;

    public Stream Open(int index) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    public TextReader OpenTextReader(int index) => new StringReader(text);

    /// <summary>Loads <paramref name="text"/> (header first).</summary>
    public static IDataView Load(MLContext context, string text, IReadOnlySet<string> textColumns)
    {
        var header = (text.Split('\n', 2)[0]).TrimEnd('\r').Split(',');
        var columns = header.Select((name, i) => new TextLoader.Column(name, textColumns.Contains(name) ? DataKind.String : DataKind.Single, i)).ToArray();
        return context.Data.CreateTextLoader(columns, separatorChar: ',', hasHeader: true, allowQuoting: true).Load(new CsvText(text));
    }
}
