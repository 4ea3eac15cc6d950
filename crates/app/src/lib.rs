//! tuanle-app
