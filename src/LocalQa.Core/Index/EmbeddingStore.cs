using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// Embedding vectors, one per chunk and model, stored as little-endian float32 blobs. A model's
/// vectors all have one length: mixing lengths would make every similarity meaningless.
/// </summary>
internal sealed class EmbeddingStore
{
    private readonly IndexDatabase _db;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _modelDimensions;

    public EmbeddingStore(IndexDatabase db)
    {
        _db = db;
        _insert = db.Command("""
            INSERT OR REPLACE INTO embeddings(chunk_id, model_id, dimensions, vector)
            VALUES ($chunk, $model, $dimensions, $vector)
            """, "$chunk", "$model", "$dimensions", "$vector");
        _modelDimensions = db.Command("SELECT dimensions FROM embeddings WHERE model_id = $model LIMIT 1", "$model");
    }

    public int Store(string modelId, int dimensions, IReadOnlyList<(long ChunkId, float[] Vector)> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ValidateShape(modelId, dimensions);
        return _db.Write(transaction =>
        {
            var writer = Begin(transaction, modelId, dimensions);
            foreach (var (chunkId, vector) in vectors)
            {
                writer.Write(chunkId, vector);
            }

            return vectors.Count;
        });
    }

    /// <summary>
    /// Starts writing vectors of one model inside <paramref name="transaction"/>, after checking that
    /// the model's vectors already stored have the same length.
    /// </summary>
    public VectorWriter Begin(SqliteTransaction transaction, string modelId, int dimensions)
    {
        ValidateShape(modelId, dimensions);
        Sql.Enlist(transaction, _insert, _modelDimensions);
        if (Sql.Scalar(_modelDimensions, modelId) is long stored && stored != dimensions)
        {
            throw new ArgumentException($"Model {modelId} already has {stored}-dimensional vectors in this index; got {dimensions}.", nameof(dimensions));
        }

        return new VectorWriter(_insert, modelId, dimensions);
    }

    public IReadOnlyList<StoredChunk> ChunksWithout(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        using var command = _db.ReadCommand("""
            SELECT id, document_id, ordinal, start, length, heading, token_count, text, page
            FROM chunks c
            WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = $model AND e.chunk_id = c.id)
            ORDER BY id
            """, "$model");
        Sql.SetValues(command, [modelId]);
        var chunks = new List<StoredChunk>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(ChunkStore.ReadStoredChunk(reader));
        }

        return chunks;
    }

    public int RemoveExcept(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return _db.Write(transaction =>
        {
            using var command = Sql.Command(_db.Connection, "DELETE FROM embeddings WHERE model_id <> $model", "$model");
            command.Transaction = transaction;
            return Sql.Run(command, modelId);
        });
    }

    /// <summary>The length of the vectors stored for <paramref name="modelId"/>, or null when it has none.</summary>
    public int? DimensionsOf(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        _db.ThrowIfDisposed();
        _db.FlushBatch();
        using var query = Sql.Command(_db.Connection, "SELECT dimensions FROM embeddings WHERE model_id = $model LIMIT 1", "$model");
        Sql.SetValues(query, [modelId]);
        return query.ExecuteScalar() is long stored ? (int)stored : null;
    }

    /// <summary>
    /// Copies every vector of one model into one contiguous array (row i of <paramref name="vectors"/>
    /// belongs to <paramref name="chunkIds"/>[i]) without allocating per row.
    /// </summary>
    public void ReadMatrix(string modelId, out long[] chunkIds, out float[] vectors, out int dimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        _db.ThrowIfDisposed();
        _db.FlushBatch();
        using var transaction = _db.Connection.BeginTransaction(deferred: true);
        using var shape = Sql.Command(_db.Connection, "SELECT count(*), max(dimensions), min(dimensions) FROM embeddings WHERE model_id = $model", "$model");
        shape.Transaction = transaction;
        Sql.SetValues(shape, [modelId]);
        int count;
        using (var reader = shape.ExecuteReader())
        {
            reader.Read();
            count = reader.GetInt32(0);
            dimensions = count == 0 ? 0 : reader.GetInt32(1);
            if (count > 0 && reader.GetInt32(2) != dimensions)
            {
                throw new InvalidOperationException($"Vectors of model {modelId} have different dimensions; run an integrity check.");
            }
        }

        chunkIds = new long[count];
        vectors = new float[(long)count * dimensions];
        using var rows = Sql.Command(_db.Connection, "SELECT chunk_id, vector FROM embeddings WHERE model_id = $model ORDER BY chunk_id", "$model");
        rows.Transaction = transaction;
        Sql.SetValues(rows, [modelId]);
        var buffer = new byte[dimensions * sizeof(float)];
        var row = 0;
        using (var reader = rows.ExecuteReader())
        {
            while (reader.Read() && row < count)
            {
                if (reader.GetBytes(1, 0, null, 0, 0) != buffer.Length)
                {
                    throw new InvalidOperationException($"The vector of chunk {reader.GetInt64(0)} has the wrong length; run an integrity check.");
                }

                reader.GetBytes(1, 0, buffer, 0, buffer.Length);
                var target = vectors.AsSpan(row * dimensions, dimensions);
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(buffer).CopyTo(target);
                }
                else
                {
                    for (var i = 0; i < target.Length; i++)
                    {
                        target[i] = BinaryPrimitives.ReadSingleLittleEndian(buffer.AsSpan(i * sizeof(float)));
                    }
                }

                chunkIds[row++] = reader.GetInt64(0);
            }
        }

        transaction.Commit();
    }

    public static void ValidateShape(string modelId, int dimensions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
    }

    /// <summary>Writes vectors of one model through one reused byte buffer, refusing a vector of another length or with a NaN.</summary>
    internal readonly struct VectorWriter(SqliteCommand insert, string modelId, int dimensions)
    {
        private readonly byte[] _buffer = new byte[dimensions * sizeof(float)];

        public void Write(long chunkId, float[] vector)
        {
            ArgumentNullException.ThrowIfNull(vector);
            if (vector.Length != dimensions)
            {
                throw new ArgumentException($"The vector for chunk {chunkId} has {vector.Length} dimensions; {dimensions} expected.", nameof(vector));
            }

            foreach (var value in vector)
            {
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException($"The vector for chunk {chunkId} holds a NaN or infinite value.", nameof(vector));
                }
            }

            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.AsBytes(vector.AsSpan()).CopyTo(_buffer);
            }
            else
            {
                for (var i = 0; i < vector.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(i * sizeof(float)), vector[i]);
                }
            }

            Sql.Run(insert, chunkId, modelId, dimensions, _buffer);
        }
    }
}
