/**
 * What hosts use to take care of a replica file (re-exported by src/main/core/index.ts, the core's
 * one entry point): owner-only folders, the one-writer lock, rolling backups, and the doctor's checks.
 */
export { ensureOwnerOnlyDir, ownerOnlyDirMode, ownerOnlyFileMode } from './file-modes.ts';
export { acquireWriterLock, currentWriter, describeWriter, ReplicaOwnedError, type WriterInfo, type WriterLock } from './writer-lock.ts';
export { backupOnline, keepBackups, listBackups, scheduleDailyBackups, type BackupFile } from './backup.ts';
export { explainOpenError as explainReplicaError, ReplicaOpenError } from './integrity.ts';
export { diagnoseReplica, exportOutbox, restoreLatest, type DoctorReport, type RestoreResult } from './doctor.ts';
