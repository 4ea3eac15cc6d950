//! tuanle-store
